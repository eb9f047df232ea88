package org.sparkgan.data;

import org.sparkgan.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkgan.io.PathKinds;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Finds the CIFAR-10 record files behind an input URI — the official tar.gz archive, an extracted
 * {@code cifar-10-batches-bin/} folder (or a folder holding it), or a single record file — and reads their records.
 * Everything goes through the Hadoop FileSystem API, so local paths, file:// and hdfs:// all work.
 */
public final class CifarSource {
    private CifarSource() {}

    /** Lists and validates the record files (sizes, archive layout) without reading any record. */
    public static List<RecordFile> list(String input, String defaultSplit, Configuration conf) throws IOException {
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(conf);
        PathKinds.requireCifarInput(fs, path, input);
        String uri = fs.makeQualified(path).toString();
        FileStatus status = fs.getFileStatus(path);
        if (status.isDirectory()) return listFolder(fs, status.getPath(), defaultSplit);
        if (isGzip(fs, path)) return listArchive(fs, uri, defaultSplit);
        return List.of(RecordFile.of(uri, null, status.getLen(), defaultSplit));
    }

    private static List<RecordFile> listFolder(FileSystem fs, Path dir, String defaultSplit) throws IOException {
        Path nested = new Path(dir, CifarFormat.ARCHIVE_FOLDER);
        Path folder = fs.exists(nested) && fs.getFileStatus(nested).isDirectory() ? nested : dir;
        FileStatus[] files = fs.listStatus(folder, p -> p.getName().endsWith(".bin"));
        if (files.length == 0) {
            throw new BadInputException(dir + ": no CIFAR-10 record files (*.bin) in this folder or in "
                    + CifarFormat.ARCHIVE_FOLDER + "/");
        }
        Arrays.sort(files, Comparator.comparing(f -> f.getPath().getName()));
        List<RecordFile> out = new ArrayList<>();
        for (FileStatus f : files) out.add(RecordFile.of(f.getPath().toString(), null, f.getLen(), defaultSplit));
        return out;
    }

    private static List<RecordFile> listArchive(FileSystem fs, String uri, String defaultSplit) throws IOException {
        List<RecordFile> out = new ArrayList<>();
        boolean sawFolder = false;
        try (InputStream in = openGzip(fs, new Path(uri), uri)) {
            TarEntries tar = new TarEntries(in);
            for (TarEntries.Entry e; (e = tar.next()) != null; ) {
                String name = e.name().startsWith("./") ? e.name().substring(2) : e.name();
                if (!name.startsWith(CifarFormat.ARCHIVE_FOLDER + "/")) continue;
                sawFolder = true;
                if (name.endsWith(".bin")) out.add(RecordFile.of(uri, name, e.size(), defaultSplit));
            }
        } catch (EOFException e) {
            throw new BadInputException(uri + ": truncated archive (" + e.getMessage() + ")", e);
        }
        if (!sawFolder) {
            throw new BadInputException(uri + ": archive has no " + CifarFormat.ARCHIVE_FOLDER
                    + "/ folder; is this the CIFAR-10 binary version (cifar-10-binary.tar.gz)?");
        }
        if (out.isEmpty()) throw new BadInputException(uri + ": archive has no record files (*.bin)");
        out.sort(Comparator.comparing(RecordFile::entry));
        return out;
    }

    /** Opens the file for reading its records in order; each label byte is checked as it is read. */
    public static RecordReader open(RecordFile file, Configuration conf) throws IOException {
        Path path = new Path(file.uri());
        FileSystem fs = path.getFileSystem(conf);
        InputStream raw = file.entry() == null
                ? new BufferedInputStream(fs.open(path), 1 << 20)
                : openEntry(fs, path, file);
        return new RecordReader(file, raw);
    }

    /** Reads one record file; {@link #image()} is a fresh array per record, safe to keep. */
    public static final class RecordReader implements Closeable {
        private final RecordFile file;
        private final DataInputStream in;
        private final byte[] record = new byte[CifarFormat.RECORD_BYTES];
        private long index = -1;

        private RecordReader(RecordFile file, InputStream in) {
            this.file = file;
            this.in = new DataInputStream(in);
        }

        /** Advances to the next record; false after the last one. */
        public boolean next() throws IOException {
            if (index + 1 >= file.records()) return false;
            index++;
            try {
                in.readFully(record);
            } catch (EOFException e) {
                throw new BadInputException(file.displayName() + ": file ends inside record " + index
                        + " (expected " + file.records() + " records)");
            }
            int label = record[0] & 0xff;
            if (label > 9) {
                throw new BadInputException(file.displayName() + ": record " + index + " has label byte " + label
                        + " (CIFAR-10 labels are 0-9)");
            }
            return true;
        }

        public long id() {
            return file.firstId() + index;
        }

        public int label() {
            return record[0] & 0xff;
        }

        public byte[] image() {
            return Arrays.copyOfRange(record, 1, record.length);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static InputStream openEntry(FileSystem fs, Path archive, RecordFile file) throws IOException {
        InputStream gzip = openGzip(fs, archive, file.uri());
        TarEntries tar = new TarEntries(gzip);
        for (TarEntries.Entry e; (e = tar.next()) != null; ) {
            if (e.name().equals(file.entry()) || e.name().equals("./" + file.entry())) {
                return new BufferedInputStream(tar.content(), 1 << 20) {
                    @Override
                    public void close() throws IOException {
                        super.close();
                        gzip.close(); // the entry stream does not own the archive stream

                    }
                };
            }
        }
        gzip.close();
        throw new BadInputException(file.displayName() + ": entry not found in the archive");
    }

    private static InputStream openGzip(FileSystem fs, Path path, String uri) throws IOException {
        try {
            return new GZIPInputStream(fs.open(path), 1 << 20);
        } catch (java.util.zip.ZipException e) {
            throw new BadInputException(uri + ": not a gzip archive (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isGzip(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }
}
