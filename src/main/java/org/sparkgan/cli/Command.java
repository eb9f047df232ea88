package org.sparkgan.cli;

import java.util.List;

/** A subcommand of {@code sparkgan}: its options (with defaults, for --help) and what it does. */
interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** Shown by {@code <command> --help} above the options. */
    String description();

    List<Option> options();

    /** Runs the command; throws {@link org.sparkgan.BadInputException} for input the user can fix. */
    void run(ParsedArgs args) throws Exception;
}
