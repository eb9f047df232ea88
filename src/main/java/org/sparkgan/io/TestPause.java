package org.sparkgan.io;

import org.apache.hadoop.fs.Syncable;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A hook for the crash tests: with the system property {@code sparkgan.test.pauseInWrite=PREFIX:MILLIS}, each write of
 * a run-folder file whose name (relative to the run folder) starts with PREFIX stops partway, announces itself on
 * standard error and sleeps MILLIS ms, so a test can kill the process inside that write. Without the property a write
 * is not touched.
 */
final class TestPause {
    static final String PROPERTY = "sparkgan.test.pauseInWrite";
    static final String ANNOUNCEMENT = "sparkgan-test: paused inside the write of ";

    private TestPause() {}

    /** Writes {@code content} to {@code out}, pausing after its first half when {@code relative} is selected. */
    static void write(String relative, OutputStream out, byte[] content) throws IOException {
        long millis = millisFor(relative);
        if (millis == 0) {
            out.write(content);
            return;
        }
        int half = content.length / 2;
        out.write(content, 0, half);
        pause(relative, out, millis);
        out.write(content, half, content.length - half);
    }

    /** {@code out}, pausing once after its first bytes when {@code relative} is selected. */
    static OutputStream wrap(String relative, OutputStream out) {
        long millis = millisFor(relative);
        if (millis == 0) return out;
        return new FilterOutputStream(out) {
            private boolean paused;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                if (!paused && len > 0) {
                    paused = true;
                    pause(relative, out, millis);
                }
            }
        };
    }

    private static long millisFor(String relative) {
        String spec = System.getProperty(PROPERTY);
        if (spec == null) return 0;
        int colon = spec.lastIndexOf(':');
        return relative.startsWith(spec.substring(0, colon)) ? Long.parseLong(spec.substring(colon + 1)) : 0;
    }

    /** Makes the bytes so far visible in the file, then announces the pause and sleeps. */
    private static void pause(String relative, OutputStream out, long millis) throws IOException {
        out.flush();
        if (out instanceof Syncable s) s.hflush();
        System.err.println(ANNOUNCEMENT + relative);
        System.err.flush();
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
