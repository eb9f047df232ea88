package org.sparkgan.train;

import org.sparkgan.BadInputException;
import org.sparkgan.Names;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key, declared once: its name (the command-line option, the config file's field and config.json's
 * key), how its text parses, what values are valid and the one-line error otherwise, its help, its default (per
 * preset where presets differ), whether a resumed run may change it, and whether the training step reads it (then
 * it travels to every Spark worker inside {@link StepSettings}). {@link TrainConfig#PARAMS} lists them all; parsing,
 * validation, config.json, the resume comparison, {@code train --help} and the preset files derive from that list.
 *
 * @param <T> the parsed type: Integer, Long, Double, Boolean or String
 */
public record Param<T>(String name, String valueName, String help, Function<String, T> parser,
                       Predicate<T> valid, String requirement, String defaultValue,
                       Map<String, String> presetDefaults, boolean resumeMayChange, boolean stepSetting) {

    public static Param<Integer> integer(String name, String valueName, String help) {
        return new Param<>(name, valueName, help, text -> parseOr(name, "a whole number", text, Integer::parseInt),
                v -> true, null, null, Map.of(), false, false);
    }

    public static Param<Long> longInteger(String name, String valueName, String help) {
        return new Param<>(name, valueName, help, text -> parseOr(name, "a whole number", text, Long::parseLong),
                v -> true, null, null, Map.of(), false, false);
    }

    public static Param<Double> number(String name, String valueName, String help) {
        return new Param<>(name, valueName, help, text -> parseOr(name, "a number", text, Double::parseDouble),
                v -> true, null, null, Map.of(), false, false);
    }

    public static Param<Boolean> bool(String name, String help) {
        return new Param<>(name, "BOOL", help, text -> switch (text.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BadInputException(name + " must be true or false, got '" + text + "'");
        }, v -> true, null, null, Map.of(), false, false);
    }

    public static Param<String> text(String name, String valueName, String help) {
        return new Param<>(name, valueName, help, String::trim, v -> true, null, null, Map.of(), false, false);
    }

    /** A text that must be one of {@code choices}. */
    public static Param<String> choice(String name, String valueName, String help, List<String> choices) {
        return new Param<>(name, valueName, help, text -> {
            if (!choices.contains(text.trim())) {
                throw new BadInputException("unknown " + name + " '" + text + "'"
                        + Names.nearest(text.trim(), choices).map(n -> " (did you mean '" + n + "'?)").orElse("")
                        + " (expected one of " + String.join(", ", choices) + ")");
            }
            return text.trim();
        }, v -> true, null, null, Map.of(), false, false);
    }

    private static <T> T parseOr(String name, String expected, String text, Function<String, T> parse) {
        try {
            return parse.apply(text.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException(name + " must be " + expected + ", got '" + text + "'");
        }
    }

    /** Valid values satisfy {@code ok}; others give "NAME must be REQUIREMENT, got VALUE". */
    public Param<T> require(Predicate<T> ok, String requirement) {
        return new Param<>(name, valueName, help, parser, ok, requirement, defaultValue, presetDefaults,
                resumeMayChange, stepSetting);
    }

    public Param<T> byDefault(String value) {
        return new Param<>(name, valueName, help, parser, valid, requirement, value, presetDefaults, resumeMayChange,
                stepSetting);
    }

    /** The default of {@code preset} where it differs from {@link #defaultValue()}. */
    public Param<T> inPreset(String preset, String value) {
        Map<String, String> presets = new LinkedHashMap<>(presetDefaults);
        presets.put(preset, value);
        return new Param<>(name, valueName, help, parser, valid, requirement, defaultValue, Map.copyOf(presets),
                resumeMayChange, stepSetting);
    }

    /** A resumed run may change this key (steps, intervals, threads): it changes neither the model nor the data. */
    public Param<T> resumable() {
        return new Param<>(name, valueName, help, parser, valid, requirement, defaultValue, presetDefaults, true,
                stepSetting);
    }

    /** The training step reads this key: it is part of {@link StepSettings}. */
    public Param<T> step() {
        return new Param<>(name, valueName, help, parser, valid, requirement, defaultValue, presetDefaults,
                resumeMayChange, true);
    }

    public String defaultFor(String preset) {
        return presetDefaults.getOrDefault(preset, defaultValue);
    }

    /** The typed value of {@code text}; malformed or invalid text is a one-line error naming the key. */
    public T parse(String text) {
        if (text == null) throw new BadInputException(name + " has no value");
        T value = parser.apply(text);
        if (!valid.test(value)) throw new BadInputException(name + " must be " + requirement + ", got '" + text + "'");
        return value;
    }

    /** The text of a value as config.json records it (and {@link #parse} reads back). */
    public String format(Object value) {
        return String.valueOf(value);
    }
}
