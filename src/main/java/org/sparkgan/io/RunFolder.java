package org.sparkgan.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A training run's folder on any Hadoop file system:
 * {@code config.json}, {@code metrics.jsonl}, {@code samples/*.png}, {@code checkpoints/step-NNNNNN/}.
 * Files are written whole under a temporary name and renamed, so a reader never sees half a file.
 */
public final class RunFolder {
    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String SAMPLES = "samples";
    public static final String CHECKPOINTS = "checkpoints";
    private static final Pattern CHECKPOINT_NAME = Pattern.compile("step-(\\d{6,})");
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper JSON_LINE = new ObjectMapper();

    private final FileSystem fs;
    private final Path root;

    private RunFolder(FileSystem fs, Path root) {
        this.fs = fs;
        this.root = root;
    }

    public static RunFolder at(String uri, Configuration conf) throws IOException {
        Path p = new Path(uri);
        FileSystem fs = p.getFileSystem(conf);
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

    /** True when the folder exists and holds anything. */
    public boolean hasContent() throws IOException {
        return fs.exists(root) && fs.listStatus(root).length > 0;
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

    /** Writes a whole file: to a hidden temporary name first, then renamed over the old one. */
    public void write(String relative, byte[] content) throws IOException {
        Path target = path(relative);
        fs.mkdirs(target.getParent());
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            out.write(content);
        }
        if (fs.exists(target)) fs.delete(target, false);
        if (!fs.rename(tmp, target)) throw new IOException("could not rename " + tmp + " to " + target);
    }

    public void writeJson(String relative, Object value) throws IOException {
        write(relative, JSON.writeValueAsBytes(value));
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> readJson(String relative) throws IOException {
        return JSON.readValue(read(relative), Map.class);
    }

    /** Rewrites metrics.jsonl with these records, one JSON object per line. */
    public void writeMetrics(List<Map<String, Object>> records) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : records) sb.append(JSON_LINE.writeValueAsString(r)).append('\n');
        write(METRICS, sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> readMetrics() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!exists(METRICS)) return out;
        for (String line : new String(read(METRICS), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) out.add(JSON_LINE.readValue(line, Map.class));
        }
        return out;
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

    /** Writes a checkpoint folder through {@code writer} under a temporary name, then renames it into place. */
    public void writeCheckpoint(long step, CheckedConsumer<FolderWriter> writer) throws IOException {
        Path dir = path(CHECKPOINTS);
        fs.mkdirs(dir);
        Path target = new Path(dir, stepName(step));
        Path tmp = new Path(dir, "." + stepName(step) + ".tmp-" + UUID.randomUUID());
        fs.mkdirs(tmp);
        try {
            writer.accept(name -> fs.create(new Path(tmp, name), false));
            if (fs.exists(target)) fs.delete(target, true);
            if (!fs.rename(tmp, target)) throw new IOException("could not rename " + tmp + " to " + target);
        } finally {
            if (fs.exists(tmp)) fs.delete(tmp, true);
        }
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
