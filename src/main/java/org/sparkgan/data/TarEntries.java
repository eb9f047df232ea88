package org.sparkgan.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Sequential reader of a tar stream (POSIX ustar and GNU long names), enough for the CIFAR-10 archive.
 * Written here rather than taken from a library so the prep job depends on nothing the cluster may lack.
 */
final class TarEntries {
    /** One regular-file entry; its bytes are read from {@link #content()} before the next call to next(). */
    record Entry(String name, long size) {}

    private static final int BLOCK = 512;
    private final InputStream in;
    private long remainingInEntry;
    private long paddingAfterEntry;

    TarEntries(InputStream in) {
        this.in = in;
    }

    /** The next regular file, or null at the end of the archive. */
    Entry next() throws IOException {
        skipRestOfEntry();
        String longName = null;
        byte[] header = new byte[BLOCK];
        while (true) {
            if (!readBlock(header)) return null;
            if (isZero(header)) return null;
            long size = parseOctal(header, 124, 12);
            char type = (char) header[156];
            if (type == 'L') { // GNU long name: the name is the content of this entry
                byte[] nameBytes = in.readNBytes((int) size);
                skipFully(padding(size));
                longName = cString(nameBytes, 0, nameBytes.length);
                continue;
            }
            String name = longName != null ? longName : ustarName(header);
            longName = null;
            remainingInEntry = size;
            paddingAfterEntry = padding(size);
            if (type == '0' || type == '\0') return new Entry(name, size);
            skipRestOfEntry(); // directories, links, pax headers: not files we read
        }
    }

    /** A stream over the current entry's bytes only. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                if (remainingInEntry <= 0) return -1;
                int b = in.read();
                if (b < 0) throw new EOFException("tar archive ends inside an entry");
                remainingInEntry--;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remainingInEntry <= 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, remainingInEntry));
                if (n < 0) throw new EOFException("tar archive ends inside an entry");
                remainingInEntry -= n;
                return n;
            }
        };
    }

    private void skipRestOfEntry() throws IOException {
        skipFully(remainingInEntry + paddingAfterEntry);
        remainingInEntry = 0;
        paddingAfterEntry = 0;
    }

    private void skipFully(long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) throw new EOFException("tar archive is truncated");
                skipped = 1;
            }
            n -= skipped;
        }
    }

    private boolean readBlock(byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) return false;
        if (n < BLOCK) throw new EOFException("tar archive is truncated");
        return true;
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) if (b != 0) return false;
        return true;
    }

    private static String ustarName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = cString(h, 257, 6).startsWith("ustar");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long parseOctal(byte[] b, int off, int len) throws IOException {
        if ((b[off] & 0x80) != 0) { // GNU base-256 for sizes over 8 GB
            long v = 0;
            for (int i = off + 1; i < off + len; i++) v = (v << 8) | (b[i] & 0xff);
            return v;
        }
        String s = cString(b, off, len).trim();
        if (s.isEmpty()) return 0;
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException("not a tar archive (bad header field '" + s + "')");
        }
    }
}
