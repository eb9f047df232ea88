package org.sparkgan.cli;

import org.sparkgan.BadInputException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sparkgan <command> [options]}: the entry point for the embedded launcher and for spark-submit.
 * Exit status: 0 on success, 2 for input the user can fix (one line on stderr), 1 for anything else.
 */
public final class Main {
    static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        for (Command c : List.<Command>of(new PrepCommand(), new TrainCommand(), new GenerateCommand(), new EvalCommand(), new BenchCommand(), new ReportCommand())) COMMANDS.put(c.name(), c);
    }

    private Main() {}

    public static void main(String[] args) {
        if (!SparkSessions.inYarnApplicationMaster()) System.exit(run(args));
        // YARN's ApplicationMaster (cluster deploy mode) counts a driver that calls System.exit, even with 0, as a
        // failed attempt ("Shutdown hook called before final status was reported") and starts the next one: a
        // finished command returns; a failed one throws, which the ApplicationMaster reports with its message
        String[] error = new String[1];
        int status = run(args, line -> error[0] = line);
        if (status != 0) throw new Failed(error[0] != null ? error[0] : "sparkgan: exit status " + status);
        // the ApplicationMaster fails a driver that never started a SparkContext ("User did not initialize spark
        // context!"), and report needs none: start and stop one
        if (SparkSessions.starts() == 0) SparkSessions.startForReading("sparkgan " + args[0]).stop();
    }

    /** A command's failure as the ApplicationMaster's diagnostics show it: the one line, no stack trace. */
    static final class Failed extends RuntimeException {
        Failed(String line) {
            super(line, null, false, false);
        }
    }

    /** Runs one command and returns its exit status; prints errors, never throws. */
    public static int run(String[] args) {
        return run(args, line -> {});
    }

    /** {@link #run(String[])}, also handing {@code errors} the line it prints for a failure. */
    private static int run(String[] args, java.util.function.Consumer<String> errors) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.print(usage());
            return args.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.get(args[0]);
        if (command == null) {
            System.err.println("sparkgan: unknown command '" + args[0] + "'");
            System.err.print(usage());
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
            System.out.print(ParsedArgs.help(command.name(), "sparkgan " + command.name() + " [options]",
                    command.summary() + ".\n\n" + command.description(), command.options()));
            return 0;
        }
        try {
            command.run(ParsedArgs.parse(command.name(), command.options(), rest));
            return 0;
        } catch (Throwable t) {
            BadInputException bad = BadInputException.find(t);
            if (bad != null) {
                String line = "sparkgan " + command.name() + ": error: " + bad.getMessage();
                System.err.println(line);
                errors.accept(line);
                return 2;
            }
            System.err.println("sparkgan " + command.name() + ": failed: " + t);
            errors.accept("sparkgan " + command.name() + ": failed: " + t);
            t.printStackTrace();
            return 1;
        }
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("Usage: sparkgan <command> [options]   (<command> --help for its options)\n\n"
                + "Commands:\n");
        for (Command c : COMMANDS.values()) sb.append(String.format("  %-10s%s%n", c.name(), c.summary()));
        return sb.toString();
    }
}
