package org.sparkgan.ml;

import org.apache.hadoop.conf.Configuration;
import org.sparkgan.cli.MainTest;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.eval.EvalFixtures;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;
import org.sparkgan.train.Checkpoint;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.testing.TestSpark;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Frogs as prep's Parquet and as PNG files, a tiny estimator, and the comparison of two run folders. */
final class MlFixtures {
    /** The tiny run of the library tests: train's options and the estimator's keys alike. */
    static final Map<String, String> TINY = Map.of("preset", "small", "g-dense-channels", "8", "g-filters", "8",
            "d-filters", "8", "batch-size", "8", "threads", "2", "steps", "2", "log-every", "1", "sample-every", "2",
            "checkpoint-every", "2");
    static final int TRAIN_FROGS = 40;

    private MlFixtures() {}

    /** 40 train and 60 test frogs as prep's data set under {@code dir}/frogs. */
    static String prepFrogs(Path dir) throws Exception {
        Path records = Files.createDirectories(dir.resolve("records"));
        Files.write(records.resolve("data_batch_1.bin"), recordsOf(EvalFixtures.frogBytes("train", TRAIN_FROGS)));
        Files.write(records.resolve("test_batch.bin"), recordsOf(EvalFixtures.frogBytes("test", 60)));
        String frogs = dir.resolve("frogs").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(records.toString(), frogs, CifarClasses.parseList("frog"),
                CifarParquet.SPLITS, "train", false));
        return frogs;
    }

    /** The 40 train frogs as frog-NNN.png in {@code folder}: file-name order is record order. */
    static String pngFrogs(Path folder) throws Exception {
        Files.createDirectories(folder);
        List<byte[]> frogs = EvalFixtures.frogBytes("train", TRAIN_FROGS);
        for (int i = 0; i < frogs.size(); i++) {
            ImageIO.write(rgb(frogs.get(i), 32), "png", folder.resolve(String.format(Locale.ROOT, "frog-%03d.png", i))
                    .toFile());
        }
        return folder.toString();
    }

    private static BufferedImage rgb(byte[] planar, int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        int plane = side * side;
        for (int p = 0; p < plane; p++) {
            image.setRGB(p % side, p / side, (planar[p] & 0xff) << 16 | (planar[plane + p] & 0xff) << 8
                    | (planar[2 * plane + p] & 0xff));
        }
        return image;
    }

    private static byte[] recordsOf(List<byte[]> images) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] image : images) {
            out.write(CifarClasses.label("frog"));
            out.writeBytes(image);
        }
        return out.toByteArray();
    }

    static DcganEstimator tinyEstimator(String runDir) {
        DcganEstimator estimator = new DcganEstimator().setRunDir(runDir);
        TINY.forEach((key, value) -> setText(estimator, TrainConfig.param(key), value));
        return estimator;
    }

    private static <T> void setText(DcganEstimator estimator, org.sparkgan.train.Param<T> key, String value) {
        estimator.setConfig(key, key.parse(value));
    }

    /** {@code train} of the tiny run on {@code data}. */
    static MainTest.Result train(String data, String runDir) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data, "--output", runDir));
        TINY.forEach((key, value) -> args.addAll(List.of("--" + key, value)));
        return MainTest.run(args.toArray(String[]::new));
    }

    /**
     * Two run folders of the same run: the same files, the same metrics but for timings, the same sample grids
     * and the same networks bit for bit, and the same configuration but for where the data was named.
     */
    @SuppressWarnings("unchecked")
    static void assertSameRun(String expected, String actual) throws Exception {
        Configuration conf = new Configuration();
        RunFolder a = RunFolder.at(expected, conf), b = RunFolder.at(actual, conf);
        assertEquals(files(Path.of(expected)), files(Path.of(actual)));
        assertEquals(withoutTimings(a.readMetrics()), withoutTimings(b.readMetrics()));
        for (String grid : List.of("samples/real.png", "samples/step-000002.png")) {
            assertArrayEquals(a.read(grid), b.read(grid), grid);
        }
        Map<String, Object> configA = new HashMap<>((Map<String, Object>) a.readJson(RunFolder.CONFIG).get("config"));
        Map<String, Object> configB = new HashMap<>((Map<String, Object>) b.readJson(RunFolder.CONFIG).get("config"));
        configA.remove(TrainConfig.DATA.name());
        configB.remove(TrainConfig.DATA.name());
        assertEquals(configA, configB);
        Checkpoint ca = Checkpoint.load(a.path("checkpoints/step-000002").toString(), conf);
        Checkpoint cb = Checkpoint.load(b.path("checkpoints/step-000002").toString(), conf);
        assertArrayEquals(ca.generator().params().data().asFloat(), cb.generator().params().data().asFloat());
        assertArrayEquals(ca.discriminator().params().data().asFloat(), cb.discriminator().params().data().asFloat());
        assertArrayEquals(ca.state().generatorEma().params().data().asFloat(),
                cb.state().generatorEma().params().data().asFloat());
        assertEquals(ca.provenance().get(RunKeys.DATA_ROWS), cb.provenance().get(RunKeys.DATA_ROWS));
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
