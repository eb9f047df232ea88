package org.sparkgan.train;

import java.io.Serializable;
import java.util.Map;

/**
 * The configuration values the training step reads ({@link Param#stepSetting()}), as one serializable value: built
 * once by {@link TrainConfig#stepSettings()} and handed whole to {@link GanStep}, the Spark worker and the engines,
 * so no link of that chain can drop a setting.
 */
public final class StepSettings implements Serializable {
    private final Map<String, Object> values;

    StepSettings(Map<String, Object> values) {
        this.values = Map.copyOf(values);
    }

    /** The value of a step setting; asking for a key that is not one is a programming error. */
    @SuppressWarnings("unchecked")
    public <T> T get(Param<T> key) {
        if (!key.stepSetting()) throw new IllegalArgumentException(key.name() + " is not a step setting");
        return (T) values.get(key.name());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepSettings s && values.equals(s.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "StepSettings" + values;
    }
}
