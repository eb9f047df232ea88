package org.sparkgan.ml;

import org.apache.hadoop.conf.Configuration;
import org.sparkgan.cli.MainTest;
import org.sparkgan.data.ImageFiles;
import org.sparkgan.eval.EvalFixtures;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;
import org.sparkgan.train.Checkpoint;
import org.sparkgan.train.TrainConfig;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Frogs as PNG files, a tiny estimator, and the comparison of two run folders. */
final class MlFixtures {
    /** The tiny run of the library tests: train's options and the estimator's keys alike. */
    static final Map<String, String> TINY = Map.of("preset", "small", "g-dense-channels", "8", "g-filters", "8",
            "d-filters", "8", "batch-size", "8", "threads", "2", "steps", "2", "log-every", "1", "sample-every", "2",
            "checkpoint-every", "2");
    static final int TRAIN_FROGS = 40; // EvalFixtures.prepFrogs's

    private MlFixtures() {}

    /** The 40 train frogs as frog-NNN.png in {@code folder}: file-name order is record order. */
    static String pngFrogs(Path folder) throws Exception {
        Files.createDirectories(folder);
        List<byte[]> frogs = EvalFixtures.frogBytes("train", TRAIN_FROGS);
        for (int i = 0; i < frogs.size(); i++) {
            Path file = folder.resolve(String.format(Locale.ROOT, "frog-%03d.png", i));
            ImageIO.write(ImageFiles.rgb(frogs.get(i), 32), "png", file.toFile());
        }
        return folder.toString();
    }

    static DcganEstimator tinyEstimator(String runDir) {
        DcganEstimator estimator = new DcganEstimator().setRunDir(runDir);
        TINY.forEach((key, value) -> setText(estimator, TrainConfig.param(key), value));
        return estimator;
    }

    private static <T> void setText(DcganEstimator estimator, org.sparkgan.train.Param<T> key, String value) {
        estimator.setConfig(key, key.parse(value));
    }

    /** {@code train} of the tiny run on {@code data}, with {@code more} options (--steps among them: its value wins). */
    static MainTest.Result train(String data, String runDir, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data, "--output", runDir));
        TINY.forEach((key, value) -> {
            if (!List.of(more).contains("--" + key)) args.addAll(List.of("--" + key, value));
        });
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    /**
     * Two run folders of the same run: the same files, the same metrics but for timings, the same sample grids
     * and the same networks in every checkpoint bit for bit, and the same configuration but for where the data was
     * named.
     */
    @SuppressWarnings("unchecked")
    static void assertSameRun(String expected, String actual) throws Exception {
        Configuration conf = new Configuration();
        RunFolder a = RunFolder.at(expected, conf), b = RunFolder.at(actual, conf);
        assertEquals(files(Path.of(expected)), files(Path.of(actual)));
        assertEquals(withoutTimings(a.readMetrics()), withoutTimings(b.readMetrics()));
        for (String file : files(Path.of(expected))) {
            if (file.startsWith(RunFolder.SAMPLES + "/")) assertArrayEquals(a.read(file), b.read(file), file);
        }
        Map<String, Object> configA = new HashMap<>((Map<String, Object>) a.readJson(RunFolder.CONFIG).get("config"));
        Map<String, Object> configB = new HashMap<>((Map<String, Object>) b.readJson(RunFolder.CONFIG).get("config"));
        configA.remove(TrainConfig.DATA.name());
        configB.remove(TrainConfig.DATA.name());
        assertEquals(configA, configB);
        assertEquals(a.checkpointSteps(), b.checkpointSteps());
        for (long step : a.checkpointSteps()) {
            String name = RunFolder.CHECKPOINTS + "/" + RunFolder.stepName(step);
            Checkpoint ca = Checkpoint.load(a.path(name).toString(), conf);
            Checkpoint cb = Checkpoint.load(b.path(name).toString(), conf);
            assertArrayEquals(ca.generator().params().data().asFloat(), cb.generator().params().data().asFloat(), name);
            assertArrayEquals(ca.discriminator().params().data().asFloat(), cb.discriminator().params().data().asFloat(),
                    name);
            assertArrayEquals(ca.state().generatorEma().params().data().asFloat(),
                    cb.state().generatorEma().params().data().asFloat(), name);
            assertEquals(ca.provenance().get(RunKeys.DATA_ROWS), cb.provenance().get(RunKeys.DATA_ROWS));
        }
    }

    private static List<String> files(Path root) throws Exception {
        try (var paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static List<Map<String, Object>> withoutTimings(List<Map<String, Object>> records) {
        return records.stream().map(r -> {
            Map<String, Object> m = new HashMap<>(r);
            m.keySet().removeAll(RunKeys.TIMINGS);
            return m;
        }).toList();
    }
}
