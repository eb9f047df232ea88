package org.sparkgan.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.BadInputException;
import org.sparkgan.io.PathKinds;
import org.sparkgan.io.RunFolder;
import org.sparkgan.model.Dcgan;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Everything needed to continue a run, or to use its generator with nothing else: both networks with their
 * configurations and RMSprop states, the step, the configuration, the data position, the random-number scheme and the
 * fixed latent batch of the sample grids. {@code state.json} is written last, and the folder is renamed into place
 * only when complete.
 */
public record Checkpoint(TrainingState state, TrainConfig config, INDArray fixedLatents, double elapsedSeconds,
                         Map<String, Object> provenance, Map<String, Object> topology) {
    static final String GENERATOR = PathKinds.CHECKPOINT_GENERATOR;
    static final String DISCRIMINATOR = "discriminator.zip";
    static final String GENERATOR_EMA = "generator-ema.zip";
    static final String FIXED_LATENTS = "fixed-latents.bin";
    static final String STATE = PathKinds.CHECKPOINT_STATE;
    private static final String STOP = "stop";
    private static final String TOPOLOGY = "topology";
    private static final String ROLLBACKS = "rollbacks";

    public long step() {
        return state.step();
    }

    public MultiLayerNetwork generator() {
        return state.generator();
    }

    public MultiLayerNetwork discriminator() {
        return state.discriminator();
    }

    /** What samples are drawn from: G's moving average when asked for and present, else G itself. */
    public MultiLayerNetwork sampler(boolean useEma) {
        return useEma && state.generatorEma() != null ? state.generatorEma() : state.generator();
    }

    /**
     * @param stop whether a stop request or the time limit wrote it, off the checkpoint interval (pruned once a newer
     *             checkpoint exists)
     */
    public void save(RunFolder run, Map<String, Object> dataPosition, boolean stop) throws IOException {
        run.writeCheckpoint(state.step(), folder -> {
            // saveUpdater=true: without the RMSprop state a resumed run would not continue the same trajectory
            try (OutputStream out = folder.create(GENERATOR)) {
                ModelSerializer.writeModel(state.generator(), out, true);
            }
            try (OutputStream out = folder.create(DISCRIMINATOR)) {
                ModelSerializer.writeModel(state.discriminator(), out, true);
            }
            if (state.generatorEma() != null) {
                try (OutputStream out = folder.create(GENERATOR_EMA)) {
                    ModelSerializer.writeModel(state.generatorEma(), out, false); // never trained: no updater
                }
            }
            try (DataOutputStream out = new DataOutputStream(folder.create(FIXED_LATENTS))) {
                Nd4j.write(fixedLatents, out);
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("step", state.step());
            json.put(STOP, stop);
            json.put(ROLLBACKS, state.rollbacks());
            json.put(TOPOLOGY, topology);
            json.put("config", config.values());
            json.put("data_position", dataPosition);
            json.put("rng", Seeds.scheme(config.seed()));
            json.put("elapsed_sec", elapsedSeconds);
            json.put("provenance", provenance);
            try (OutputStream out = folder.create(STATE)) {
                out.write(RunFolder.JSON.writeValueAsBytes(json));
            }
        });
    }

    /** Whether checkpoint {@code step} of {@code run} was written by a stop rather than the interval. */
    public static boolean isStopCheckpoint(RunFolder run, long step) throws IOException {
        String state = RunFolder.CHECKPOINTS + "/" + RunFolder.stepName(step) + "/" + STATE;
        return run.exists(state) && Boolean.TRUE.equals(run.readJson(state).get(STOP));
    }

    /** Loads a checkpoint folder (any Hadoop URI); a missing or unreadable part is a one-line error. */
    @SuppressWarnings("unchecked")
    public static Checkpoint load(String uri, Configuration conf) throws IOException {
        Path dir = new Path(uri);
        FileSystem fs = dir.getFileSystem(conf);
        PathKinds.requireCheckpoint(fs, dir, uri);
        for (String part : new String[]{STATE, GENERATOR, DISCRIMINATOR, FIXED_LATENTS}) {
            if (!fs.exists(new Path(dir, part))) {
                throw new BadInputException(uri + ": incomplete checkpoint (no " + part + ")");
            }
        }
        try {
            Map<String, Object> state;
            try (InputStream in = fs.open(new Path(dir, STATE))) {
                state = RunFolder.JSON.readValue(in, Map.class);
            }
            Map<String, String> values = new LinkedHashMap<>();
            ((Map<String, Object>) state.get("config")).forEach((k, v) -> values.put(k, String.valueOf(v)));
            values.putIfAbsent(TrainConfig.RESOLUTION.name(), "32"); // written before the key: 32×32 images
            TrainConfig config = TrainConfig.resolve(values);
            MultiLayerNetwork g = restoreInto(fs, new Path(dir, GENERATOR),
                    Dcgan.generator(config.model(), config.optimizer(), config.seed()), true);
            MultiLayerNetwork d = restoreInto(fs, new Path(dir, DISCRIMINATOR),
                    Dcgan.discriminator(config.model(), config.optimizer(), config.seed()), true);
            INDArray latents;
            try (DataInputStream in = new DataInputStream(fs.open(new Path(dir, FIXED_LATENTS)))) {
                latents = Nd4j.read(in);
            }
            long step = ((Number) state.get("step")).longValue();
            double elapsed = ((Number) state.getOrDefault("elapsed_sec", 0.0)).doubleValue();
            Map<String, Object> provenance = (Map<String, Object>) state.getOrDefault("provenance", Map.of());
            int rollbacks = ((Number) state.getOrDefault(ROLLBACKS, 0)).intValue();
            Map<String, Object> topology = (Map<String, Object>) state.getOrDefault(TOPOLOGY, Map.of());
            // G_ema: written by runs with ema-kimg > 0 (a checkpoint of an earlier version has none)
            MultiLayerNetwork ema = fs.exists(new Path(dir, GENERATOR_EMA)) ? restoreInto(fs, new Path(dir, GENERATOR_EMA),
                    Dcgan.generator(config.model(), config.optimizer(), config.seed()), false) : null;
            return new Checkpoint(new TrainingState(step, g, d, rollbacks, ema), config, latents, elapsed, provenance,
                    topology);
        } catch (BadInputException e) {
            throw new BadInputException(uri + ": corrupt checkpoint (" + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(uri + ": corrupt or incomplete checkpoint (" + e.getClass().getSimpleName()
                    + ": " + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads the parameters, RMSprop state (when {@code withUpdater}) and iteration count of a DL4J model zip into {@code net}, which is built
     * from the checkpoint's configuration: the code defines the architecture and the checkpoint holds the numbers, so
     * a checkpoint survives changes to how layers are implemented (the layer JSON inside the zip is not used).
     */
    private static MultiLayerNetwork restoreInto(FileSystem fs, Path zip, MultiLayerNetwork net, boolean withUpdater)
            throws IOException {
        INDArray params = null, updaterState = null;
        JsonNode configuration = null;
        try (ZipInputStream in = new ZipInputStream(fs.open(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                switch (entry.getName()) {
                    case "coefficients.bin" -> params = Nd4j.read(new DataInputStream(in));
                    case "updaterState.bin" -> updaterState = Nd4j.read(new DataInputStream(in));
                    case "configuration.json" -> configuration = RunFolder.JSON.readTree(in.readAllBytes());
                    default -> { }
                }
            }
        }
        if (params == null || (withUpdater && updaterState == null) || configuration == null) {
            throw new BadInputException(zip.getName() + " lacks its parameters, updater state or configuration");
        }
        if (params.length() != net.numParams()) {
            throw new BadInputException(zip.getName() + " holds " + params.length() + " parameters; the configuration's "
                    + "network has " + net.numParams());
        }
        net.params().assign(params.reshape(net.params().shape()));
        if (withUpdater) {
            INDArray state = net.getUpdater().getStateViewArray();
            if (updaterState.length() != state.length()) {
                throw new BadInputException(zip.getName() + " holds " + updaterState.length() + " updater values; the "
                        + "configuration's network has " + state.length());
            }
            state.assign(updaterState.reshape(state.shape()));
        }
        net.setIterationCount(configuration.path("iterationCount").asInt());
        net.setEpochCount(configuration.path("epochCount").asInt());
        return net;
    }
}
