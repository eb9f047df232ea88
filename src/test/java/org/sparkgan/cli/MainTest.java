package org.sparkgan.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exit codes and messages of the command line, for errors found before Spark starts. */
public class MainTest {
    public record Result(int status, String out, String err) {}

    public static Result run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true));
        System.setErr(new PrintStream(e, true));
        try {
            return new Result(Main.run(args), o.toString(), e.toString());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        Result r = run("prep", "--help");
        assertEquals(0, r.status());
        for (Option o : PrepCommand.OPTIONS) assertTrue(r.out().contains("--" + o.name()), o.name());
        assertTrue(r.out().contains("(default: train,test)"));
    }

    @Test
    void badInputIsOneLineAndExitsTwo() {
        for (List<String> args : List.of(
                List.of("prep", "--input", "x", "--output", "y", "--classes", "toad"),
                List.of("prep", "--input", "x"),
                List.of("prep", "--bogus", "1"),
                List.of("prep", "--input", "x", "--output", "y", "--splits", "validation"),
                List.of("nosuchcommand"))) {
            Result r = run(args.toArray(String[]::new));
            assertEquals(2, r.status(), args.toString());
            assertTrue(r.err().startsWith("sparkgan"), r.err());
            if (!args.get(0).equals("nosuchcommand")) {
                assertEquals(1, r.err().strip().lines().count(), r.err());
            }
        }
    }
}
