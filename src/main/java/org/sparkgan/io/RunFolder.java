package org.sparkgan.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A training run's folder on any Hadoop file system:
 * {@code config.json}, {@code metrics.jsonl}, {@code samples/*.png}, {@code checkpoints/step-NNNNNN/}.
 *
 * <p>Crash-safe: a file is written whole under a hidden temporary name and renamed over the old one in one atomic
 * step (rename(2) on a local disk, HDFS's rename with OVERWRITE), so a process killed at any moment leaves either the
 * old file or the new one. metrics.jsonl grows by appends; a last line cut short by a kill is dropped with a warning
 * when read, and the trainer rewrites the file whole on resume. Temporaries a killed writer left are ignored and
 * removed by {@link #removeTemporaries()}. On a local disk the folder is written without Hadoop's .crc side files:
 * a checksum file renamed after its data would leave a window in which the two disagree.
 */
public final class RunFolder {
    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String SAMPLES = "samples";
    public static final String CHECKPOINTS = "checkpoints";
    private static final Pattern CHECKPOINT_NAME = Pattern.compile("step-(\\d{6,})");
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper JSON_LINE = new ObjectMapper();
    private static final String TEMPORARY = ".tmp-";
    private static final Logger LOG = LoggerFactory.getLogger(RunFolder.class);

    private final FileSystem fs;
    private final Path root;
    private boolean appends = true;

    private RunFolder(FileSystem fs, Path root) {
        this.fs = fs;
        this.root = root;
    }

    public static RunFolder at(String uri, Configuration conf) throws IOException {
        Path p = new Path(uri);
        FileSystem fs = p.getFileSystem(conf);
        if (fs instanceof LocalFileSystem local) fs = local.getRaw();
        return new RunFolder(fs, fs.makeQualified(p));
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public Path root() {
        return root;
    }

    public Path path(String relative) {
        return new Path(root, relative);
    }

    /** True when the folder exists and holds anything but a killed writer's temporaries. */
    public boolean hasContent() throws IOException {
        if (!fs.exists(root)) return false;
        for (FileStatus s : fs.listStatus(root)) if (!isTemporary(s.getPath())) return true;
        return false;
    }

    /** Deletes the temporaries that writers killed mid-write left in the folder, its samples and its checkpoints. */
    public void removeTemporaries() throws IOException {
        for (Path dir : new Path[]{root, path(SAMPLES), path(CHECKPOINTS)}) {
            if (!fs.exists(dir)) continue;
            for (FileStatus s : fs.listStatus(dir)) if (isTemporary(s.getPath())) fs.delete(s.getPath(), true);
        }
    }

    private static boolean isTemporary(Path p) {
        return p.getName().startsWith(".") && p.getName().contains(TEMPORARY);
    }

    private static Path temporaryFor(Path target) {
        return new Path(target.getParent(), "." + target.getName() + TEMPORARY + UUID.randomUUID());
    }

    /** Deletes the folder and everything in it. */
    public void delete() throws IOException {
        if (fs.exists(root)) fs.delete(root, true);
    }

    public boolean exists(String relative) throws IOException {
        return fs.exists(path(relative));
    }

    public byte[] read(String relative) throws IOException {
        try (InputStream in = fs.open(path(relative))) {
            return in.readAllBytes();
        }
    }

    /** Writes a whole file: to a hidden temporary name first, then renamed over the old one in one step. */
    public void write(String relative, byte[] content) throws IOException {
        Path target = path(relative);
        fs.mkdirs(target.getParent());
        Path tmp = temporaryFor(target);
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            TestPause.write(relative, out, content);
        }
        replace(tmp, target);
    }

    /**
     * Renames {@code tmp} over {@code target} atomically where the file system can: rename(2) on a local disk,
     * HDFS's rename with OVERWRITE. Elsewhere (object stores have no atomic rename) the old file is deleted first.
     */
    private void replace(Path tmp, Path target) throws IOException {
        if (fs instanceof RawLocalFileSystem local) {
            // a checksum file an older version wrote beside the target would no longer match it
            fs.delete(new Path(target.getParent(), "." + target.getName() + ".crc"), false);
            Files.move(local.pathToFile(tmp).toPath(), local.pathToFile(target).toPath(),
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else if ("hdfs".equals(fs.getScheme())) {
            FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
        } else {
            if (fs.exists(target)) fs.delete(target, false);
            rename(tmp, target);
        }
    }

    public void writeJson(String relative, Object value) throws IOException {
        write(relative, JSON.writeValueAsBytes(value));
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> readJson(String relative) throws IOException {
        return JSON.readValue(read(relative), Map.class);
    }

    /** Rewrites metrics.jsonl with these records, one JSON object per line (at a resume or a rollback). */
    public void writeMetrics(List<Map<String, Object>> records) throws IOException {
        write(METRICS, jsonLines(records));
    }

    /**
     * Adds these records to the end of metrics.jsonl: one append of whole lines, so a kill can cut only the last line
     * short. Where the file system cannot append (an object store, or an HDFS whose write pipeline cannot be rebuilt,
     * as with fewer DataNodes than the replication), the file is rewritten with {@code all}, which ends with them.
     */
    public void appendMetrics(List<Map<String, Object>> records, List<Map<String, Object>> all) throws IOException {
        Path file = path(METRICS);
        if (appends && fs.exists(file) && fs.hasPathCapability(file, CommonPathCapabilities.FS_APPEND)) {
            try (FSDataOutputStream out = fs.append(file)) {
                TestPause.write(METRICS, out, jsonLines(records));
                return;
            } catch (IOException e) {
                appends = false;
                LOG.warn("{}: cannot append ({}); rewriting it whole from now on", file, e.getMessage());
            }
        }
        writeMetrics(all);
    }

    private static byte[] jsonLines(List<Map<String, Object>> records) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : records) sb.append(JSON_LINE.writeValueAsString(r)).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The records of metrics.jsonl; a last line cut short by a killed writer is dropped with a warning. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> readMetrics() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!exists(METRICS)) return out;
        String text = new String(read(METRICS), StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n') + 1;
        if (end < text.length() && !text.substring(end).isBlank()) {
            LOG.warn("{}: dropped a last line cut short (a write that did not finish): {}", path(METRICS),
                    abbreviate(text.substring(end)));
        }
        for (String line : text.substring(0, end).split("\n")) {
            if (!line.isBlank()) out.add(JSON_LINE.readValue(line, Map.class));
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    public static String stepName(long step) {
        return String.format("step-%06d", step);
    }

    /** Steps of the complete checkpoints, oldest first (in-progress ones have hidden temporary names). */
    public List<Long> checkpointSteps() throws IOException {
        List<Long> steps = new ArrayList<>();
        Path dir = path(CHECKPOINTS);
        if (!fs.exists(dir)) return steps;
        for (FileStatus s : fs.listStatus(dir)) {
            Matcher m = CHECKPOINT_NAME.matcher(s.getPath().getName());
            if (s.isDirectory() && m.matches()) steps.add(Long.parseLong(m.group(1)));
        }
        steps.sort(null);
        return steps;
    }

    /**
     * Writes a checkpoint folder through {@code writer} under a temporary name, then renames it into place. A folder
     * cannot be replaced in one step: an existing one of the same step (one a resume could not load) is moved aside
     * first, so a kill in between leaves the older checkpoints to resume from.
     */
    public void writeCheckpoint(long step, CheckedConsumer<FolderWriter> writer) throws IOException {
        Path dir = path(CHECKPOINTS);
        fs.mkdirs(dir);
        Path target = new Path(dir, stepName(step));
        Path tmp = temporaryFor(target);
        fs.mkdirs(tmp);
        try {
            writer.accept(name -> TestPause.wrap(CHECKPOINTS + "/" + stepName(step) + "/" + name,
                    fs.create(new Path(tmp, name), false)));
            Path aside = null;
            if (fs.exists(target)) {
                aside = temporaryFor(target);
                rename(target, aside);
            }
            rename(tmp, target);
            if (aside != null) fs.delete(aside, true);
        } finally {
            if (fs.exists(tmp)) fs.delete(tmp, true);
        }
    }

    private void rename(Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) throw new IOException("could not rename " + from + " to " + to);
    }

    public void deleteCheckpoint(long step) throws IOException {
        fs.delete(path(CHECKPOINTS + "/" + stepName(step)), true);
    }

    /** Opens the files of one checkpoint folder for writing. */
    @FunctionalInterface
    public interface FolderWriter {
        OutputStream create(String name) throws IOException;
    }

    @FunctionalInterface
    public interface CheckedConsumer<T> {
        void accept(T value) throws IOException;
    }
}
