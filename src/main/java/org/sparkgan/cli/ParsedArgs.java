package org.sparkgan.cli;

import org.sparkgan.BadInputException;
import org.sparkgan.Names;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The options of one command line, checked against the command's {@link Option}s, defaults filled in. */
public final class ParsedArgs {
    private final String command;
    private final Map<String, String> values;
    private final Map<String, Boolean> given;

    private ParsedArgs(String command, Map<String, String> values, Map<String, Boolean> given) {
        this.command = command;
        this.values = values;
        this.given = given;
    }

    public static ParsedArgs parse(String command, List<Option> options, String[] args) {
        Map<String, Option> byName = new LinkedHashMap<>();
        for (Option o : options) byName.put(o.name(), o);
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Boolean> given = new LinkedHashMap<>();
        for (Option o : options) {
            values.put(o.name(), o.isFlag() ? "false" : o.defaultValue());
            given.put(o.name(), false);
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new BadInputException(command + ": unexpected argument '" + arg + "' (options start with --; see "
                        + command + " --help)");
            }
            String name = arg.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option o = byName.get(name);
            if (o == null) {
                throw new BadInputException(command + ": unknown option --" + name
                        + Names.nearest(name, byName.keySet()).map(n -> " (did you mean --" + n + "?)").orElse("")
                        + " (see " + command + " --help)");
            }
            if (o.isFlag()) {
                String value = inline;
                if (value == null && i + 1 < args.length && o.flagWords().contains(args[i + 1])) value = args[++i];
                if (value == null) value = "true";
                if (!value.equals("true") && !value.equals("false") && !o.flagWords().contains(value)) {
                    throw new BadInputException(command + ": --" + name + " is a flag and takes no value"
                            + (o.flagWords().isEmpty() ? "" : " or one of " + String.join(", ", o.flagWords())));
                }
                values.put(name, value);
            } else if (inline != null) {
                values.put(name, inline);
            } else if (o.takesSeveral()) {
                List<String> several = new ArrayList<>();
                while (i + 1 < args.length && !args[i + 1].startsWith("--")) several.add(args[++i]);
                if (several.isEmpty()) {
                    throw new BadInputException(command + ": --" + name + " needs at least one value ("
                            + o.valueName() + ")");
                }
                // a repeated option adds to the list; list() splits it again
                String joined = String.join(",", several);
                values.put(name, given.get(name) ? values.get(name) + "," + joined : joined);
            } else {
                if (i + 1 >= args.length) {
                    throw new BadInputException(command + ": --" + name + " needs a value (" + o.valueName() + ")");
                }
                values.put(name, args[++i]);
            }
            given.put(name, true);
        }
        return new ParsedArgs(command, values, given);
    }

    public String string(String name) {
        check(name);
        return values.get(name);
    }

    public String required(String name) {
        String v = string(name);
        if (v == null || v.isBlank()) throw new BadInputException(command + ": --" + name + " is required");
        return v;
    }

    /** A whole number of at least {@code min}; anything else is a one-line error naming the option. */
    public int integer(String name, int min) {
        String v = string(name);
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min) return n;
        } catch (NumberFormatException | NullPointerException e) {
            // the message below says what is expected
        }
        throw new BadInputException(command + ": --" + name + " must be a whole number >= " + min + ", got '" + v + "'");
    }

    public long longValue(String name) {
        String v = string(name);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new BadInputException(command + ": --" + name + " must be a whole number, got '" + v + "'");
        }
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(string(name));
    }

    public boolean given(String name) {
        check(name);
        return given.get(name);
    }

    public List<String> list(String name) {
        List<String> out = new ArrayList<>();
        String v = string(name);
        if (v == null) return out;
        for (String part : v.split(",")) if (!part.isBlank()) out.add(part.trim());
        return out;
    }

    private void check(String name) {
        if (!values.containsKey(name)) throw new IllegalArgumentException("option --" + name + " is not declared");
    }

    /** The help text of a command: usage, description, and every option with its default. */
    public static String help(String command, String usage, String description, List<Option> options) {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: ").append(usage).append("\n\n").append(description.strip()).append("\n\nOptions:\n");
        for (Option o : options) {
            String head = "  --" + o.name() + (o.isFlag()
                    ? (o.flagWords().isEmpty() ? "" : " [" + String.join("|", o.flagWords()) + "]")
                    : " " + o.valueName());
            sb.append(head);
            String pad = " ".repeat(Math.max(1, 28 - head.length()));
            if (head.length() >= 28) sb.append("\n").append(" ".repeat(28));
            else sb.append(pad);
            sb.append(o.help().replace("\n", "\n" + " ".repeat(28)));
            if (o.defaultValue() != null) sb.append(" (default: ").append(o.defaultValue()).append(")");
            sb.append("\n");
        }
        sb.append("  --help                    print this help and exit\n");
        return sb.toString();
    }
}
