package org.sparkgan.cli;

/**
 * One command-line option: {@code --name VALUE} (or {@code --name=VALUE}), or a flag when {@code valueName} is null.
 * The default is written here once and shown by {@code --help}.
 */
public record Option(String name, String valueName, String defaultValue, String help) {
    public static Option value(String name, String valueName, String defaultValue, String help) {
        return new Option(name, valueName, defaultValue, help);
    }

    public static Option flag(String name, String help) {
        return new Option(name, null, null, help);
    }

    public boolean isFlag() {
        return valueName == null;
    }
}
