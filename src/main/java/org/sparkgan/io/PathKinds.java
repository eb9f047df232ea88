package org.sparkgan.io;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkgan.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * Says what a path is (CIFAR-10 as downloaded, a Parquet data set, a run folder, a checkpoint, ...), so that a command
 * given the wrong kind of input says so in one line instead of failing deep inside Spark or DL4J.
 * Looks only at names, folder listings and the first bytes of files: cheap on any Hadoop file system.
 */
public final class PathKinds {
    /** The folder inside the official CIFAR-10 archive that holds the record files. */
    public static final String CIFAR_FOLDER = "cifar-10-batches-bin";
    /** Two files of every checkpoint folder (train.Checkpoint writes them). */
    public static final String CHECKPOINT_STATE = "state.json";
    public static final String CHECKPOINT_GENERATOR = "generator.zip";
    private static final String STEP_FOLDER = "step-\\d{6,}";
    private static final String CHECKPOINT_HINT = "a checkpoint is a run's checkpoints/step-NNNNNN folder";
    private static final String DATA_SET_HINT = "pass the folder prep wrote";
    private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_PARTITION_DEPTH = 8;

    public enum Kind {
        MISSING("no such file or directory"),
        EMPTY_FOLDER("an empty folder"),
        CIFAR_ARCHIVE("the CIFAR-10 archive (cifar-10-binary.tar.gz)"),
        GZIP_FILE("a gzip file without " + CIFAR_FOLDER + "/"),
        RECORD_FILE("a CIFAR-10 record file (.bin)"),
        RECORD_FOLDER("a folder of CIFAR-10 record files (.bin)"),
        PARQUET("a Parquet data set"),
        RUN_FOLDER("a sparkgan run folder"),
        CHECKPOINTS_FOLDER("a run's checkpoints folder"),
        CHECKPOINT("a checkpoint folder"),
        FILE_IN_CHECKPOINT("a file inside a checkpoint folder"),
        OTHER_FILE("a file that is not Parquet"),
        OTHER_FOLDER("a folder without Parquet files");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private PathKinds() {}

    public static Kind of(FileSystem fs, Path path) throws IOException {
        if (!fs.exists(path)) return Kind.MISSING;
        FileStatus status = fs.getFileStatus(path);
        return status.isDirectory() ? folderKind(fs, path) : fileKind(fs, status);
    }

    /** Refuses anything but a Parquet data set, naming what the path is instead and what to do. */
    public static void requireDataSet(FileSystem fs, Path path, String uri) throws IOException {
        Kind kind = of(fs, path);
        if (kind == Kind.PARQUET) return;
        String hint = switch (kind) {
            case CIFAR_ARCHIVE, RECORD_FILE, RECORD_FOLDER -> "make one with prep --input " + uri
                    + " --output <folder>, then pass that folder";
            case RUN_FOLDER -> dataSetOfRun(fs, path);
            case CHECKPOINTS_FOLDER, CHECKPOINT, FILE_IN_CHECKPOINT -> "--checkpoint takes checkpoints; "
                    + DATA_SET_HINT;
            default -> DATA_SET_HINT;
        };
        throw new BadInputException(uri + ": not a readable Parquet data set: "
                + (kind == Kind.MISSING ? kind.description() : "it is " + kind.description()) + "; " + hint);
    }

    /** Refuses anything but a checkpoint folder; for a run folder, names its newest checkpoint. */
    public static void requireCheckpoint(FileSystem fs, Path path, String uri) throws IOException {
        Kind kind = of(fs, path);
        if (kind == Kind.CHECKPOINT) return;
        if (kind == Kind.MISSING) throw new BadInputException(uri + ": no such checkpoint");
        // qualified by this file system: a bare path must not resolve against another configuration's default one
        Path qualified = fs.makeQualified(path);
        String hint = switch (kind) {
            case RUN_FOLDER -> newestCheckpoint(fs, qualified);
            case CHECKPOINTS_FOLDER -> newestCheckpoint(fs, qualified.getParent());
            case FILE_IN_CHECKPOINT -> "pass its folder, " + qualified.getParent();
            default -> CHECKPOINT_HINT;
        };
        throw new BadInputException(uri + ": not a checkpoint folder: it is " + kind.description() + "; " + hint);
    }

    /** Refuses what prep cannot read: anything but an archive, record files or a folder of them. */
    public static void requireCifarInput(FileSystem fs, Path path, String uri) throws IOException {
        Kind kind = of(fs, path);
        switch (kind) {
            case CIFAR_ARCHIVE, GZIP_FILE, RECORD_FILE, RECORD_FOLDER, OTHER_FILE -> { return; } // validated as records
            case MISSING -> throw new BadInputException(uri + ": " + kind.description());
            default -> throw new BadInputException(uri + ": not CIFAR-10 in its binary form: it is "
                    + kind.description() + "; prep reads cifar-10-binary.tar.gz, its " + CIFAR_FOLDER
                    + "/ folder or .bin record files" + (kind == Kind.PARQUET ? " (already prepared? train reads it)" : ""));
        }
    }

    private static Kind folderKind(FileSystem fs, Path dir) throws IOException {
        List<FileStatus> visible = visible(fs, dir);
        if (visible.isEmpty()) return Kind.EMPTY_FOLDER;
        Set<String> names = visible.stream().map(s -> s.getPath().getName()).collect(Collectors.toSet());
        if (names.contains(CHECKPOINT_STATE) || names.contains(CHECKPOINT_GENERATOR)) return Kind.CHECKPOINT;
        if (names.contains(RunFolder.CONFIG) && (names.contains(RunFolder.METRICS)
                || names.contains(RunFolder.CHECKPOINTS) || names.contains(RunFolder.SAMPLES))) {
            return Kind.RUN_FOLDER;
        }
        if (visible.stream().allMatch(s -> s.isDirectory() && s.getPath().getName().matches(STEP_FOLDER))) {
            return Kind.CHECKPOINTS_FOLDER;
        }
        if (visible.stream().anyMatch(s -> s.isDirectory() ? s.getPath().getName().equals(CIFAR_FOLDER)
                : s.getPath().getName().endsWith(".bin"))) {
            return Kind.RECORD_FOLDER;
        }
        return holdsParquet(fs, visible, 0) ? Kind.PARQUET : Kind.OTHER_FOLDER;
    }

    private static Kind fileKind(FileSystem fs, FileStatus file) throws IOException {
        byte[] head = head(fs, file.getPath(), PARQUET_MAGIC.length);
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return firstTarEntry(fs, file.getPath()).replaceFirst("^\\./", "").startsWith(CIFAR_FOLDER)
                    ? Kind.CIFAR_ARCHIVE : Kind.GZIP_FILE;
        }
        if (Arrays.equals(head, PARQUET_MAGIC)) return Kind.PARQUET;
        if (file.getPath().getName().endsWith(".bin")) return Kind.RECORD_FILE;
        Path parent = file.getPath().getParent();
        if (parent != null && folderKind(fs, parent) == Kind.CHECKPOINT) return Kind.FILE_IN_CHECKPOINT;
        return Kind.OTHER_FILE;
    }

    /** Parquet files at this level or below Hive-style partition folders ({@code column=value}). */
    private static boolean holdsParquet(FileSystem fs, List<FileStatus> entries, int depth) throws IOException {
        for (FileStatus s : entries) {
            if (!s.isDirectory() && Arrays.equals(head(fs, s.getPath(), PARQUET_MAGIC.length), PARQUET_MAGIC)) {
                return true;
            }
        }
        if (depth >= MAX_PARTITION_DEPTH) return false;
        for (FileStatus s : entries) {
            if (s.isDirectory() && s.getPath().getName().contains("=")
                    && holdsParquet(fs, visible(fs, s.getPath()), depth + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Entries that readers of a data set see: Spark and Hadoop hide names starting with '.' or '_'. */
    private static List<FileStatus> visible(FileSystem fs, Path dir) throws IOException {
        return Arrays.stream(fs.listStatus(dir))
                .filter(s -> !s.getPath().getName().startsWith(".") && !s.getPath().getName().startsWith("_"))
                .toList();
    }

    private static byte[] head(FileSystem fs, Path file, int n) throws IOException {
        try (InputStream in = fs.open(file)) {
            return in.readNBytes(n);
        }
    }

    /** The name in the first tar header (bytes 0-99, NUL-padded); empty when the gzip holds no tar. */
    private static String firstTarEntry(FileSystem fs, Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(fs.open(file))) {
            byte[] header = in.readNBytes(100);
            int end = 0;
            while (end < header.length && header[end] != 0) end++;
            return new String(header, 0, end, StandardCharsets.US_ASCII);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            return ""; // a broken gzip: prep's archive reader reports it with its cause
        }
    }

    private static String dataSetOfRun(FileSystem fs, Path run) {
        try (InputStream in = fs.open(new Path(run, RunFolder.CONFIG))) {
            Object data = RunFolder.JSON.readTree(in).path("provenance").path("data_uri").textValue();
            if (data != null) return "pass the data set the run read (" + data + ")";
        } catch (IOException unreadable) {
            // fall back to the general advice: this is only a hint
        }
        return DATA_SET_HINT;
    }

    private static String newestCheckpoint(FileSystem fs, Path run) throws IOException {
        List<Long> steps = RunFolder.at(run.toString(), fs.getConf()).checkpointSteps();
        if (steps.isEmpty()) return "it has no checkpoint yet";
        return "pass one of its checkpoints, e.g. the newest: "
                + new Path(new Path(run, RunFolder.CHECKPOINTS), RunFolder.stepName(steps.get(steps.size() - 1)));
    }
}
