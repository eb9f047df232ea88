package org.sparkgan.cli;

import org.sparkgan.train.Param;

import java.util.List;

/**
 * One command-line option: {@code --name VALUE} (or {@code --name=VALUE}), or a flag when {@code valueName} is null,
 * which may be followed by one of its {@code flagWords} ({@code --resume auto}). The default is written here once and
 * shown by {@code --help}.
 */
public record Option(String name, String valueName, String defaultValue, String help, List<String> flagWords) {
    private static final String SEVERAL = "...";

    public static Option value(String name, String valueName, String defaultValue, String help) {
        return new Option(name, valueName, defaultValue, help, List.of());
    }

    /**
     * The option of a configuration key, with {@code defaultValue} as its default; the defaults of other presets,
     * where they differ, are named in its help.
     */
    public static Option of(Param<?> key, String preset) {
        StringBuilder help = new StringBuilder(key.help());
        key.presetDefaults().forEach((other, value) -> {
            if (!other.equals(preset)) help.append("; --preset ").append(other).append(": ").append(value);
        });
        return value(key.name(), key.valueName(), key.defaultFor(preset), help.toString());
    }

    /** An option of several values: every argument up to the next option ({@code --runs a b c}), commas splitting too. */
    public static Option values(String name, String valueName, String help) {
        return new Option(name, valueName + SEVERAL, null, help, List.of());
    }

    public static Option flag(String name, String help) {
        return new Option(name, null, null, help, List.of());
    }

    /** A flag that may also be given one of {@code words}, e.g. {@code --resume} or {@code --resume auto}. */
    public static Option flag(String name, String help, List<String> words) {
        return new Option(name, null, null, help, List.copyOf(words));
    }

    public boolean isFlag() {
        return valueName == null;
    }

    public boolean takesSeveral() {
        return valueName != null && valueName.endsWith(SEVERAL);
    }
}
