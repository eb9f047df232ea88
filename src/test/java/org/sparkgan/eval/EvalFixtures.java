package org.sparkgan.eval;

import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.CifarSource;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.data.RecordFile;
import org.sparkgan.io.RunFolder;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;
import org.sparkgan.train.RealImages;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Real CIFAR-10 image sets, noise images and a tiny trained checkpoint for the evaluation tests. */
public final class EvalFixtures {
    private EvalFixtures() {}

    /** The first {@code n} frogs of cifar10-frog/{@code split}.bin, as a tensor in [-1, 1]. */
    public static INDArray frogs(String split, int n) throws Exception {
        return ImageTensors.toTensor(frogBytes(split, n));
    }

    /** The first {@code n} frogs' image bytes (3,072 each). */
    public static List<byte[]> frogBytes(String split, int n) throws Exception {
        return images(CifarSource.list(TestData.frogs(split).toString(), split, new Configuration()).get(0), n, -1);
    }

    /** The first {@code n} airplanes (label 0) of data_batch_1.bin in the official archive. */
    public static INDArray airplanes(int n) throws Exception {
        RecordFile batch = CifarSource.list(TestData.archive().toString(), "train", new Configuration()).stream()
                .filter(f -> f.entry().endsWith("/data_batch_1.bin")).findFirst().orElseThrow();
        return ImageTensors.toTensor(images(batch, n, 0));
    }

    /** {@code n} images of independent Gaussian pixels (sd 0.5, clipped to [-1, 1]). */
    public static INDArray noise(int n, long seed) {
        Random random = new Random(seed);
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] image = new byte[3072];
            for (int p = 0; p < image.length; p++) {
                image[p] = (byte) Math.round(Math.max(0, Math.min(255, 127.5 + 63.75 * random.nextGaussian())));
            }
            images.add(image);
        }
        return ImageTensors.toTensor(images);
    }

    private static List<byte[]> images(RecordFile file, int n, int label) throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (CifarSource.RecordReader reader = CifarSource.open(file, new Configuration())) {
            while (out.size() < n && reader.next()) if (label < 0 || reader.label() == label) out.add(reader.image());
        }
        if (out.size() < n) throw new IllegalStateException(file.displayName() + " has only " + out.size() + " images");
        return out;
    }

    /**
     * The first 40 train and 60 test frogs as prep's data set under {@code dir}/frogs (their records under
     * {@code dir}/records, named as the official files so that they keep their splits); returns its path.
     */
    public static String prepFrogs(Path dir) throws Exception {
        Path records = Files.createDirectories(dir.resolve("records"));
        Files.write(records.resolve("data_batch_1.bin"), recordsOf(frogBytes("train", 40)));
        Files.write(records.resolve("test_batch.bin"), recordsOf(frogBytes("test", 60)));
        String frogs = dir.resolve("frogs").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(records.toString(), frogs, CifarClasses.parseList("frog"),
                CifarParquet.SPLITS, "train", false));
        return frogs;
    }

    /** Images as CIFAR-10 records of frogs. */
    public static byte[] recordsOf(List<byte[]> images) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] image : images) {
            out.write(CifarClasses.label("frog"));
            out.writeBytes(image);
        }
        return out.toByteArray();
    }

    /**
     * Trains the small preset shrunk to 8 filters for 2 steps on 16 test frogs under {@code dir}/run and returns
     * the URI of its last checkpoint: an untrained but complete generator, in seconds.
     */
    public static String tinyCheckpoint(Path dir) throws Exception {
        RunFolder run = tinyRun(dir.resolve("run"), 2, 100);
        return run.path(RunFolder.CHECKPOINTS + "/" + RunFolder.stepName(2)).toString();
    }

    /** A run of {@code steps} steps of a tiny small-preset G and D on 16 test frogs, a checkpoint every few. */
    public static RunFolder tinyRun(Path folder, int steps, int checkpointEvery) throws Exception {
        TrainConfig config = TrainConfig.resolve(Map.of("preset", "small", "g-dense-channels", "8", "g-filters", "8",
                "d-filters", "8", "threads", "2", "data", "test-frogs", "batch-size", "8", "steps", String.valueOf(steps),
                "checkpoint-every", String.valueOf(checkpointEvery)));
        RunFolder run = RunFolder.at(folder.toString(), new Configuration());
        Trainer.local(config, new RealImages(frogs("test", 16), config.batchSize(), config.seed()), run, Map.of(),
                new PrintStream(new ByteArrayOutputStream())).train(Trainer.Start.NEW);
        return run;
    }
}
