package org.sparkgan.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.BadInputException;
import org.sparkgan.eval.GeneratorSamples;
import org.sparkgan.io.ImageGrid;
import org.sparkgan.ml.DcganModel;
import org.sparkgan.train.ComputeThreads;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** {@code generate}: PNG images from a checkpoint's generator; no Spark. */
final class GenerateCommand implements Command {
    static final List<Option> OPTIONS = List.of(
            Option.value("checkpoint", "URI", null, "a checkpoint folder, e.g. <run>/checkpoints/step-NNNNNN\n"
                    + "(local path, file://, hdfs://). Required."),
            Option.value("count", "N", "64", "how many images"),
            Option.value("output", "URI", null, "the folder the PNG files go to (local path, file://, hdfs://);\n"
                    + "created if missing, files of the same name replaced. Required."),
            Option.flag("grid", "write one grid.png of all images instead of one file per image"),
            Option.flag("interpolate", "write interpolation.png: a strip of N images whose latents go in\n"
                    + "equal steps from the first latent of --seed to the first latent of --seed + 1"),
            Option.value("seed", "N", "0", "seed of the Gaussian latents (eval with the same seed uses the same ones)"),
            Option.value("use-ema", "BOOL", "true", "true: G's moving average (train --ema-kimg), where the checkpoint has\n"
                    + "one; false: G's own weights"));

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "write PNG images (files, a grid or an interpolation) from a checkpoint's generator";
    }

    @Override
    public String description() {
        return """
                Loads the generator of a checkpoint and runs it on standard-Gaussian latents drawn from --seed.
                Default: image-0000.png, image-0001.png, ... (32x32 each). --grid: one grid.png (square-ish, 2-pixel
                gaps). --interpolate: one interpolation.png, a row of --count images along the straight line between
                two latents. Pixel values: G's tanh output x in [-1, 1] -> round((x + 1) * 127.5).""";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public void run(ParsedArgs args) throws Exception {
        String checkpointUri = args.required("checkpoint"), output = args.required("output");
        int count = args.integer("count", 1);
        long seed = args.longValue("seed");
        boolean grid = args.flag("grid"), interpolate = args.flag("interpolate");
        if (grid && interpolate) throw new BadInputException("--grid and --interpolate exclude each other");
        if (interpolate && count < 2) throw new BadInputException("--interpolate needs --count of at least 2");

        ComputeThreads.pin(0);
        Configuration conf = new Configuration();
        DcganModel model = DcganModel.fromCheckpoint(checkpointUri, conf).setUseEma(EvalCommand.useEma(args));
        // a private instance: the cached one is shared, and its checksum setting must not change for others
        try (FileSystem fs = FileSystem.newInstance(new Path(output).toUri(), conf)) {
            fs.setWriteChecksum(false); // pictures for people: no .crc beside each PNG on a local disk
            Path dir = fs.makeQualified(new Path(output));
            if (fs.exists(dir) && !fs.getFileStatus(dir).isDirectory()) {
                throw new BadInputException(output + ": exists and is not a folder");
            }
            INDArray images = interpolate ? GeneratorSamples.generate(model.sampler(),
                    GeneratorSamples.interpolation(seed, count, model.config().model().latentDim()))
                    : model.samples(count, seed);

            fs.mkdirs(dir);
            if (interpolate) {
                write(fs, new Path(dir, "interpolation.png"), ImageGrid.png(images, count));
                System.out.printf("generate: wrote interpolation.png (%d images, seeds %d to %d) to %s%n", count, seed,
                        seed + 1, dir);
            } else if (grid) {
                int columns = (int) Math.ceil(Math.sqrt(count));
                write(fs, new Path(dir, "grid.png"), ImageGrid.png(images, columns));
                System.out.printf("generate: wrote grid.png (%d images, %d columns, seed %d) to %s%n", count, columns,
                        seed, dir);
            } else {
                for (int i = 0; i < count; i++) {
                    write(fs, new Path(dir, String.format(Locale.ROOT, "image-%04d.png", i)), ImageGrid.image(images, i));
                }
                System.out.printf("generate: wrote %d images (image-0000.png ...; seed %d) to %s%n", count, seed, dir);
            }
        }
    }

    private static void write(FileSystem fs, Path path, byte[] content) throws IOException {
        try (FSDataOutputStream out = fs.create(path, true)) {
            out.write(content);
        }
    }
}
