package org.sparkgan.ml;

import org.slf4j.Logger;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The trainer's printed lines as INFO records of a logger: a library's progress goes to the log, not stdout. */
final class LogLines extends OutputStream {
    private final Logger log;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private LogLines(Logger log) {
        this.log = log;
    }

    static PrintStream to(Logger log) {
        return new PrintStream(new LogLines(log), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (b != '\n') {
            line.write(b);
            return;
        }
        log.info(line.toString(StandardCharsets.UTF_8));
        line.reset();
    }
}
