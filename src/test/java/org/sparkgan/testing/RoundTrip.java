package org.sparkgan.testing;

/**
 * The one save/load check every savable part passes: save, load, and the loaded value must be equivalent to the
 * original by the part's own notion of equality; loading twice must give equivalent values too. {@code load} must
 * read what {@code save} wrote (never return the value it was given).
 */
public final class RoundTrip {
    private RoundTrip() {}

    @FunctionalInterface
    public interface Save<T> {
        void save(T value) throws Exception;
    }

    @FunctionalInterface
    public interface Load<T> {
        T load() throws Exception;
    }

    @FunctionalInterface
    public interface Equivalence<T> {
        /** Fails with an assertion, or returns normally when equivalent. */
        void check(T expected, T actual);
    }

    public static <T> T assertRoundTrip(T value, Save<T> save, Load<T> load, Equivalence<T> equivalence) throws Exception {
        save.save(value);
        T loaded = load.load();
        equivalence.check(value, loaded);
        equivalence.check(loaded, load.load());
        return loaded;
    }
}
