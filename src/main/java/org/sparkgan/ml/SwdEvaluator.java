package org.sparkgan.ml;

import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.sparkgan.BadInputException;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.eval.SlicedWasserstein;
import org.sparkgan.train.ComputeThreads;

import java.util.List;

/**
 * Sliced Wasserstein Distance ×1000 (the mean over the Laplacian levels; lower is better) of the first N images of a
 * DataFrame against the first N of a reference DataFrame, the numbers {@code eval} prints for the same sets, N and
 * seed; {@link #floor} gives eval's real-vs-real floor. Images come in prep's binary column or the struct of Spark's
 * image data source, in id order (file-name order for the image source). The reference DataFrame is not a Param:
 * set it again after loading.
 */
public final class SwdEvaluator extends Evaluator implements DefaultParamsWritable {
    private final String uid;
    private final Param<String> imageCol;
    private final IntParam numImages;
    private final LongParam seed;
    private final Param<String> split;
    private final Param<String> classes;
    private Dataset<?> reference;

    public SwdEvaluator() {
        this(Identifiable$.MODULE$.randomUID("swd"));
    }

    public SwdEvaluator(String uid) {
        this.uid = uid;
        imageCol = new Param<>(this, "imageCol", "the image column of both DataFrames: prep's binary column or the "
                + "struct of Spark's image data source");
        numImages = new IntParam(this, "numImages", "images per set: N generated vs the first N real ones", v -> {
            if ((Integer) v < 1) throw new BadInputException("numImages must be positive, got '" + v + "'");
            return true;
        });
        seed = new LongParam(this, "seed", "seed of the patch positions and directions (as eval --seed)");
        split = new Param<>(this, "split", "the split of the reference images, where it has prep's split column", v -> {
            if (!CifarParquet.SPLITS.contains(v)) {
                throw new BadInputException("--split: unknown split '" + v + "' (expected train or test)");
            }
            return true;
        });
        classes = new Param<>(this, "classes", "the classes of both sets, where they have prep's label_name "
                + "column: NAME[,NAME...] or all");
        setDefault(imageCol, CifarParquet.IMAGE);
        setDefault(numImages, 1000);
        setDefault(seed, 0L);
        setDefault(split, "test");
        setDefault(classes, CifarParquet.ALL_CLASSES);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Param<?>[] params() {
        return new Param<?>[]{imageCol, numImages, seed, split, classes};
    }

    /** The real images the scored ones are compared with (eval's --reference). */
    public SwdEvaluator setReference(Dataset<?> images) {
        this.reference = images;
        return this;
    }

    public SwdEvaluator setImageCol(String column) { return (SwdEvaluator) set(imageCol, column); }
    public SwdEvaluator setNumImages(int n) { return (SwdEvaluator) set(numImages, n); }
    public SwdEvaluator setSeed(long value) { return (SwdEvaluator) set(seed, value); }
    public SwdEvaluator setSplit(String value) { return (SwdEvaluator) set(split, value); }
    public SwdEvaluator setClasses(String value) { return (SwdEvaluator) set(classes, value); }

    @Override
    public boolean isLargerBetter() {
        return false;
    }

    @Override
    public double evaluate(Dataset<?> generated) {
        return distance(generated).average();
    }

    /** Per level and mean, as eval prints them. */
    public SlicedWasserstein.Result distance(Dataset<?> generated) {
        if (reference == null) throw new BadInputException("SwdEvaluator: no reference images (setReference)");
        int n = (Integer) getOrDefault(numImages);
        List<byte[]> made = atLeast(n, images(generated, null, n), "generated images");
        List<byte[]> real = atLeast(n, images(reference, getOrDefault(split), n), "reference images");
        ComputeThreads.pin(0);
        return SlicedWasserstein.distance(ImageTensors.toTensor(made),
                SlicedWasserstein.describe(ImageTensors.toTensor(real), (Long) getOrDefault(seed)));
    }

    /**
     * eval's real-vs-real floor: the first N train images against the first N test images of prep's data set (N cut
     * to the smaller split).
     */
    public SlicedWasserstein.Result floor(Dataset<?> dataSet) {
        int n = (Integer) getOrDefault(numImages);
        return floor(images(dataSet, "train", n), images(dataSet, "test", n), n, (Long) getOrDefault(seed));
    }

    /** The first N train images against the first N test images, N cut to the smaller set: eval's floor. */
    public static SlicedWasserstein.Result floor(List<byte[]> train, List<byte[]> test, int n, long seed) {
        int floorN = Math.min(n, Math.min(train.size(), test.size()));
        ComputeThreads.pin(0);
        return SlicedWasserstein.distance(ImageTensors.toTensor(train.subList(0, floorN)),
                ImageTensors.toTensor(test.subList(0, floorN)), seed);
    }

    private List<byte[]> images(Dataset<?> df, String ofSplit, int n) {
        return ImageColumns.first(df, getOrDefault(imageCol), n, ofSplit, getOrDefault(classes));
    }

    private static List<byte[]> atLeast(int n, List<byte[]> images, String what) {
        if (images.size() < n) {
            throw new BadInputException("only " + images.size() + " " + what + ", fewer than numImages " + n);
        }
        return images;
    }

    @Override
    public SwdEvaluator copy(ParamMap extra) {
        SwdEvaluator copy = defaultCopy(extra);
        copy.reference = reference;
        return copy;
    }

    public static MLReader<SwdEvaluator> read() {
        return new DefaultParamsReader<>();
    }

    public static SwdEvaluator load(String path) {
        return read().load(path);
    }
}
