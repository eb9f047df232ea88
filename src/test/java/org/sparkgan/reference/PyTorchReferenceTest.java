package org.sparkgan.reference;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sparkgan.data.CifarFormat;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.model.Dcgan;
import org.sparkgan.model.ModelConfig;
import org.sparkgan.model.OptimizerConfig;
import org.sparkgan.train.DiffAugment;
import org.sparkgan.testing.Pythons;
import org.sparkgan.testing.TestData;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * sparkgan's G and D, and the step GanStep runs, against the same model in PyTorch with Keras' conventions
 * (src/test/python/pytorch_steps.py): the same initial weights, latents and real frogs, dropout and label noise 0;
 * first every tensor of one step, then {@value #STEPS} steps from the same start.
 * <p>The shapes are smaller than the presets' in filters only, so every layer kind and every spatial size of the seed
 * model is there: Dense to a 16×16 map, 5×5 'same' convolutions, the 4×4 stride-2 'same' transposed convolution
 * 16 → 32, the 7×7 tanh convolution, and D's 3×3 and three 4×4 stride-2 'valid' convolutions 32 → 30 → 14 → 6 → 2.
 * <p>Both sides compute in float64 (the product's networks, converted). In float32 some pre-activations sit within
 * rounding of LeakyReLU's kink (2.6e-9 from it in a float32 run of this test), so which slope an element takes depends on
 * the CPU's summation order, and one such element moved a layer's gradient by 1e-3: a float32 comparison would be
 * as tight as the luck of the draw. In float64 the two agree to 1e-7 over the whole trajectory.
 */
class PyTorchReferenceTest {
    private static final ModelConfig MODEL = new ModelConfig(8, 8, 8, 8, 0.3, 0.0);
    /** The seed's, but a clip of 0.05, so that the trajectory clips gradient values (1.0 clipped almost none). */
    private static final OptimizerConfig OPTIMIZER = new OptimizerConfig(0.0008, 0.0004, 0.9, 1e-7, 0.05);
    private static final int BATCH = 4;
    private static final int STEPS = 15;
    /**
     * Relative error ||actual − expected|| / ||expected|| allowed for every tensor. Measured: forward passes ~1e-15;
     * gradients ~4e-8, because DL4J's LeakyReLU derivative takes α as float32 (0.3f = 0.30000001…); updates up to
     * ~4e-7 where RMSprop divides a near-zero gradient by its own RMS; the trajectory's losses and changes ≤ 1e-7.
     * Each difference of implementation found here showed from ~1e-3 (three values clipped on one side only) to 15.
     */
    private static final double TOLERANCE = 1e-5;
    private static final Path SCRIPT = Path.of("src/test/python/pytorch_steps.py");

    @Test
    void stepsMatchPyTorch(@TempDir Path dir) throws Exception {
        compareWithPyTorch(dir, DiffAugment.NONE);
    }

    /**
     * The same with every DiffAugment op: the product's augmentation and its hand-written backward pass against the
     * formulas applied with autograd (src/bench/python/pytorch_train.py's), both sides using the numbers drawn here.
     */
    @Test
    void augmentedStepsMatchPyTorch(@TempDir Path dir) throws Exception {
        compareWithPyTorch(dir, "color,translation,cutout");
    }

    private static void compareWithPyTorch(Path dir, String policy) throws Exception {
        String python = Pythons.importing("torch", "python3-torch");
        MultiLayerNetwork g = Dcgan.generator(MODEL, OPTIMIZER, 1).convertDataType(DataType.DOUBLE);
        MultiLayerNetwork d = Dcgan.discriminator(MODEL, OPTIMIZER, 2).convertDataType(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(3);
        INDArray latentsD = Nd4j.randn(DataType.DOUBLE, STEPS, BATCH, MODEL.latentDim());
        INDArray latentsG = Nd4j.randn(DataType.DOUBLE, STEPS, BATCH, MODEL.latentDim());
        INDArray reals = frogs(STEPS * BATCH).castTo(DataType.DOUBLE)
                .reshape(STEPS, BATCH, CifarFormat.CHANNELS, CifarFormat.SIDE, CifarFormat.SIDE);
        write(dir, "g_params", g.params());
        write(dir, "d_params", d.params());
        write(dir, "latents_d", latentsD);
        write(dir, "latents_g", latentsG);
        write(dir, "reals", reals);
        DiffAugment augment = DiffAugment.of(policy);
        List<DiffAugment.Augmentation> augmentD = new ArrayList<>(), augmentG = new ArrayList<>();
        if (!augment.isNone()) {
            INDArray dBatch = Nd4j.zeros(DataType.DOUBLE, 2 * BATCH, CifarFormat.CHANNELS, CifarFormat.SIDE, CifarFormat.SIDE);
            INDArray gBatch = Nd4j.zeros(DataType.DOUBLE, BATCH, CifarFormat.CHANNELS, CifarFormat.SIDE, CifarFormat.SIDE);
            for (int s = 0; s < STEPS; s++) {
                augmentD.add(augment.draw(dBatch, 100 + 2L * s));
                augmentG.add(augment.draw(gBatch, 101 + 2L * s));
            }
            write(dir, "augment_d", Nd4j.stack(0, augmentD.stream().map(DiffAugment.Augmentation::numbers).toArray(INDArray[]::new)));
            write(dir, "augment_g", Nd4j.stack(0, augmentG.stream().map(DiffAugment.Augmentation::numbers).toArray(INDArray[]::new)));
        }
        writeConfig(dir, policy);
        Process torch = new ProcessBuilder(python, SCRIPT.toString(), dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("python.log").toFile()).start();

        INDArray gBefore = g.params().dup(), dBefore = d.params().dup();
        Map<String, INDArray> first = new LinkedHashMap<>();
        double[][] losses = new double[STEPS][];
        INDArray gAfterFirst = null, dAfterFirst = null;
        for (int s = 0; s < STEPS; s++) {
            losses[s] = step(g, d, latentsD.get(NDArrayIndex.point(s)), latentsG.get(NDArrayIndex.point(s)),
                    reals.get(NDArrayIndex.point(s)), augment.isNone() ? null : augmentD.get(s),
                    augment.isNone() ? null : augmentG.get(s), s == 0 ? first : null);
            if (s == 0) {
                gAfterFirst = g.params().dup();
                dAfterFirst = d.params().dup();
            }
        }

        assertTrue(torch.waitFor(300, TimeUnit.SECONDS), "PyTorch side did not finish in 300 s");
        assertEquals(0, torch.exitValue(), () -> "PyTorch side failed:\n" + log(dir));

        Comparison step = new Comparison(TOLERANCE);
        step.add("G output on D's latents", read(dir, "fakes"), first.get("fakes"));
        step.add("D output on fakes", read(dir, "d_on_fakes"), first.get("d_on_fakes"));
        step.add("D output on reals", read(dir, "d_on_reals"), first.get("d_on_reals"));
        step.add("D loss", read(dir, "losses").getScalar(0), Nd4j.scalar(losses[0][0]));
        step.addPerParameter(d, "D gradient", read(dir, "d_gradient"), first.get("d_gradient"));
        step.addPerParameter(d, "D update", read(dir, "d_params_step1").sub(dBefore), dAfterFirst.sub(dBefore));
        step.add("G output on G's latents", read(dir, "g_fakes"), first.get("g_fakes"));
        step.add("updated D output on G's fakes", read(dir, "d_on_g_fakes"), first.get("d_on_g_fakes"));
        step.add("G loss", read(dir, "losses").getScalar(1), Nd4j.scalar(losses[0][1]));
        step.addPerParameter(g, "G gradient", read(dir, "g_gradient"), first.get("g_gradient"));
        step.addPerParameter(g, "G update", read(dir, "g_params_step1").sub(gBefore), gAfterFirst.sub(gBefore));
        step.check("first step (augment " + policy + ")");

        INDArray clipped = read(dir, "clipped");
        assertTrue(clipped.getDouble(0) > 0 && clipped.getDouble(1) > 0,
                "the trajectory must clip gradient values of both networks, clipped D " + clipped.getDouble(0)
                        + ", G " + clipped.getDouble(1));
        Comparison trajectory = new Comparison(TOLERANCE);
        INDArray torchLosses = read(dir, "losses").reshape(STEPS, 2);
        INDArray ownLosses = Nd4j.create(losses);
        trajectory.add("D losses of " + STEPS + " steps", torchLosses.getColumn(0), ownLosses.getColumn(0));
        trajectory.add("G losses of " + STEPS + " steps", torchLosses.getColumn(1), ownLosses.getColumn(1));
        trajectory.add("D's change over " + STEPS + " steps", read(dir, "d_params_final").sub(dBefore), d.params().sub(dBefore));
        trajectory.add("G's change over " + STEPS + " steps", read(dir, "g_params_final").sub(gBefore), g.params().sub(gBefore));
        trajectory.check("trajectory (augment " + policy + ")");
    }

    /**
     * One step as GanStep runs it, with label noise 0 (but clearing only the layers' state, below): D fitted on fakes
     * labelled 1 and reals labelled 0, then G's gradient through D (toward 0) and G's own updater. Records the first
     * step's tensors when {@code record} is given. With augmentations (null: none), D sees its batch augmented by
     * {@code augmentD} and G's fakes by {@code augmentG}, whose backward pass carries D's input gradient to G.
     * Returns D's and G's losses.
     */
    private static double[] step(MultiLayerNetwork g, MultiLayerNetwork d, INDArray latentsD, INDArray latentsG,
                                INDArray reals, DiffAugment.Augmentation augmentD, DiffAugment.Augmentation augmentG,
                                Map<String, INDArray> record) {
        int batch = (int) reals.size(0);
        INDArray fakes = g.output(latentsD, false);
        INDArray images = Nd4j.concat(0, fakes, reals);
        if (augmentD != null) images = augmentD.apply(images);
        INDArray labels = Nd4j.concat(0, Nd4j.ones(DataType.DOUBLE, batch, 1), Nd4j.zeros(DataType.DOUBLE, batch, 1));
        if (record != null) {
            INDArray p = d.output(images, false);
            record.put("fakes", fakes.dup());
            record.put("d_on_fakes", p.get(NDArrayIndex.interval(0, batch)).dup());
            record.put("d_on_reals", p.get(NDArrayIndex.interval(batch, 2 * batch)).dup());
            // DL4J's loss gradients are sums over the batch; its updater divides them by the batch size before it
            // clips them, so the batch mean is what is clipped, as in Keras
            record.put("d_gradient", d.calculateGradients(images, labels, null, null).getFirst().gradient().div(2 * batch));
        }
        d.fit(images, labels);
        double dLoss = d.score();

        g.setInput(latentsG);
        List<INDArray> activations = g.feedForward(true, false);
        INDArray gFakes = activations.get(activations.size() - 1);
        INDArray seen = augmentG == null ? gFakes : augmentG.apply(gFakes);
        INDArray p = d.output(seen, true);
        double gLoss = -Transforms.log(p.rsub(1.0), false).meanNumber().doubleValue();
        INDArray throughD = d.calculateGradients(seen, Nd4j.zeros(DataType.DOUBLE, batch, 1), null, null).getSecond();
        if (augmentG != null) throughD = augmentG.backprop(throughD);
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        Gradient gradient = g.backpropGradient(throughD, noWorkspaces).getFirst();
        if (record != null) {
            record.put("g_fakes", gFakes.dup());
            record.put("d_on_g_fakes", p.dup());
            record.put("g_gradient", gradient.gradient().div(batch));
        }
        g.getUpdater().update(g, gradient, g.getIterationCount(), g.getEpochCount(), batch, noWorkspaces);
        g.params().subi(gradient.gradient());
        g.setIterationCount(g.getIterationCount() + 1);
        // the layers' state only: MultiLayerNetwork.clear() also drops the solver, and with it the RMSprop state
        g.clearLayersStates();
        d.clearLayersStates();
        return new double[]{dLoss, gLoss};
    }

    /** Relative errors of named tensors, reported all together; the first beyond the tolerance fails the test. */
    private static final class Comparison {
        private final double tolerance;
        private final List<String> lines = new ArrayList<>();
        private String firstFailure;

        Comparison(double tolerance) {
            this.tolerance = tolerance;
        }

        void add(String name, INDArray expected, INDArray actual) {
            assertEquals(expected.length(), actual.length(), name + ": element count");
            INDArray e = expected.reshape(expected.length()).castTo(DataType.DOUBLE);
            INDArray a = actual.reshape(actual.length()).castTo(DataType.DOUBLE);
            double norm = e.norm2Number().doubleValue();
            double error = e.sub(a).norm2Number().doubleValue() / Math.max(norm, 1e-30);
            lines.add(String.format("  %-40s relative error %.2e (norm %.3e, %d values)", name, error, norm, e.length()));
            if (firstFailure == null && !(error <= tolerance)) firstFailure = name;
        }

        /** Compares flat per-network arrays parameter by parameter, in DL4J's flat order. */
        void addPerParameter(MultiLayerNetwork net, String what, INDArray expected, INDArray actual) {
            assertEquals(net.numParams(), expected.length(), what + ": parameter count");
            INDArray e = expected.reshape(expected.length()), a = actual.reshape(actual.length());
            long offset = 0;
            for (Map.Entry<String, INDArray> p : net.paramTable().entrySet()) {
                long n = p.getValue().length();
                add(what + " " + p.getKey(), e.get(NDArrayIndex.interval(offset, offset + n)),
                        a.get(NDArrayIndex.interval(offset, offset + n)));
                offset += n;
            }
        }

        void check(String what) {
            String table = String.join("\n", lines);
            System.out.println(what + " against PyTorch (tolerance " + tolerance + "):\n" + table);
            if (firstFailure != null) {
                fail(what + ": " + firstFailure + " differs from PyTorch beyond " + tolerance + "\n" + table);
            }
        }
    }

    /** The first {@code count} frogs of the training split, scaled to [-1, 1] as training scales them. */
    private static INDArray frogs(int count) throws IOException {
        List<byte[]> images = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(TestData.frogs("train")))) {
            for (int i = 0; i < count; i++) {
                in.readUnsignedByte(); // the label
                byte[] image = new byte[CifarFormat.IMAGE_BYTES];
                in.readFully(image);
                images.add(image);
            }
        }
        return ImageTensors.toTensor(images);
    }

    private static void writeConfig(Path dir, String policy) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("augment", policy);
        c.put("latent", MODEL.latentDim());
        c.put("dense_channels", MODEL.generatorDenseChannels());
        c.put("g_filters", MODEL.generatorFilters());
        c.put("d_filters", MODEL.discriminatorFilters());
        c.put("leaky_alpha", MODEL.leakyAlpha());
        c.put("d_lr", OPTIMIZER.discriminatorLearningRate());
        c.put("g_lr", OPTIMIZER.generatorLearningRate());
        c.put("rho", OPTIMIZER.rho());
        c.put("epsilon", OPTIMIZER.epsilon());
        c.put("clip", OPTIMIZER.clipValue());
        c.put("batch", BATCH);
        c.put("steps", STEPS);
        new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), c);
    }

    /** Raw little-endian float64 in 'c' order (a dense weight view keeps DL4J's flat order: params() is flat). */
    private static void write(Path dir, String name, INDArray array) throws IOException {
        double[] values = array.dup('c').data().asDouble();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asDoubleBuffer().put(values);
        Files.write(dir.resolve(name + ".f64"), bytes.array());
    }

    private static INDArray read(Path dir, String name) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("torch_" + name + ".f64"))).order(ByteOrder.LITTLE_ENDIAN);
        double[] values = new double[bytes.remaining() / Double.BYTES];
        bytes.asDoubleBuffer().get(values);
        return Nd4j.create(values, new long[]{values.length}, DataType.DOUBLE);
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("python.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
