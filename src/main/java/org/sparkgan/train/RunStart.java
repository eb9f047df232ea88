package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.BadInputException;
import org.sparkgan.io.ImageGrid;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;
import org.sparkgan.model.Dcgan;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a run starts from: a new run (config.json, the real grid, step 0 drawn from the seed), a resumed one (the
 * newest checkpoint that loads, checked against this run's configuration, data and topology), or --resume auto's
 * choice between them.
 */
final class RunStart {
    private final TrainConfig config;
    private final INDArray realSamples;
    private final RunFolder run;
    private final Map<String, Object> provenance;
    private final PrintStream out;

    RunStart(TrainConfig config, INDArray realSamples, RunFolder run, Map<String, Object> provenance, PrintStream out) {
        this.config = config;
        this.realSamples = realSamples;
        this.run = run;
        this.provenance = provenance;
        this.out = out;
    }

    /**
     * --resume auto, for a driver the cluster may restart: continue from the newest loadable checkpoint, start anew
     * where there is none (a missing or empty folder, or a run that died before its first checkpoint), and refuse a
     * folder that is not a sparkgan run.
     */
    Trainer.Start autoStart() throws IOException {
        if (!run.hasContent()) return Trainer.Start.NEW;
        if (!run.exists(RunFolder.CONFIG)) {
            throw new BadInputException(run.root() + ": not a sparkgan run folder (no " + RunFolder.CONFIG
                    + "); --resume auto continues a run or starts one in a new or empty folder");
        }
        if (!run.checkpointSteps().isEmpty()) return Trainer.Start.RESUME;
        out.printf("train: %s has no checkpoint yet; starting the run again%n", run.root());
        return Trainer.Start.OVERWRITE;
    }

    Checkpoint freshState(Trainer.Start start) throws IOException {
        if (run.hasContent()) {
            if (start != Trainer.Start.OVERWRITE) {
                throw new BadInputException(run.root() + ": run folder exists (use --resume to continue it or "
                        + "--overwrite to start again)");
            }
            run.delete();
        }
        Map<String, Object> configJson = new LinkedHashMap<>();
        configJson.put("config", config.values());
        Map<String, Object> prov = new LinkedHashMap<>(provenance);
        prov.put(RunKeys.STARTED_AT, Instant.now().toString());
        configJson.put("provenance", prov);
        run.writeJson(RunFolder.CONFIG, configJson);
        run.write(RunFolder.SAMPLES + "/real.png", ImageGrid.png(realSamples, Trainer.GRID));
        Checkpoint initial = initialState();
        return new Checkpoint(initial.state(), config, initial.fixedLatents(), 0, prov, Map.of());
    }

    /** Step 0 of the run: G, D and the grid's fixed latents, drawn from the run seed. */
    Checkpoint initialState() {
        MultiLayerNetwork g = Dcgan.generator(config.model(), config.optimizer(), Seeds.generatorInit(config.seed()));
        MultiLayerNetwork d = Dcgan.discriminator(config.model(), config.optimizer(),
                Seeds.discriminatorInit(config.seed()));
        Nd4j.getRandom().setSeed(Seeds.fixedLatents(config.seed()));
        INDArray fixed = Nd4j.randn(DataType.FLOAT, Trainer.GRID * Trainer.GRID, config.model().latentDim());
        return new Checkpoint(new TrainingState(0, g, d), config, fixed, 0, provenance, Map.of());
    }

    String checkpointUri(long step) {
        return run.path(RunFolder.CHECKPOINTS + "/" + RunFolder.stepName(step)).toString();
    }

    /**
     * The newest checkpoint that loads: one cut short or corrupt (a missing file, a truncated zip) is skipped with a
     * warning naming it. Its configuration and data must match this run's.
     */
    Checkpoint resumeState() throws IOException {
        List<Long> steps = run.checkpointSteps();
        List<String> skipped = new ArrayList<>();
        Checkpoint c = null;
        for (int i = steps.size() - 1; i >= 0 && c == null; i--) {
            try {
                c = Checkpoint.load(checkpointUri(steps.get(i)), run.fileSystem().getConf());
            } catch (BadInputException e) {
                skipped.add(e.getMessage());
                out.println("train: WARNING skipping " + e.getMessage());
            }
        }
        if (c == null) {
            throw new BadInputException(run.root() + ": nothing to resume (no complete checkpoint under "
                    + RunFolder.CHECKPOINTS + "/" + (skipped.isEmpty() ? "" : "; skipped " + String.join("; ", skipped))
                    + ")");
        }
        List<String> differences = config.modelOrDataDifferences(c.config());
        if (!differences.isEmpty()) {
            throw new BadInputException("cannot resume " + run.root() + " with a different model or data: "
                    + String.join("; ", differences) + " (only steps and intervals may change)");
        }
        for (String key : new String[]{RunKeys.DATA_URI, RunKeys.DATA_ROWS}) {
            Object was = c.provenance().get(key), now = provenance.get(key);
            if (was != null && now != null && !String.valueOf(was).equals(String.valueOf(now))) {
                throw new BadInputException("cannot resume " + run.root() + ": " + key + " was " + was + ", now " + now);
            }
        }
        out.printf("train: resuming from %s%n", checkpointUri(c.step()));
        return c;
    }

    /**
     * A run continues on the engine and topology it was trained with: another engine or number of workers would
     * change the data order and the random streams (and what --steps counts), so it is refused.
     */
    void requireSameTopology(Checkpoint c, TrainingEngine engine) {
        Map<String, Object> was = c.topology(), now = engine.topology();
        if (!was.isEmpty() && !String.valueOf(was).equals(String.valueOf(now))) {
            throw new BadInputException("cannot resume " + run.root() + " on another topology: it was trained with "
                    + describe(was) + ", this run asks for " + describe(now) + " (start a new run to change it)");
        }
    }

    private static String describe(Map<String, Object> topology) {
        StringBuilder sb = new StringBuilder(String.valueOf(topology.get(TrainingEngine.ENGINE)));
        topology.forEach((k, v) -> {
            if (!k.equals(TrainingEngine.ENGINE)) sb.append(", ").append(k).append(' ').append(v);
        });
        return sb.toString();
    }

    /** config.json records the options now in force (steps and intervals may have changed). */
    void recordResume() throws IOException {
        Map<String, Object> json = new LinkedHashMap<>(run.readJson(RunFolder.CONFIG));
        json.put("config", config.values());
        @SuppressWarnings("unchecked")
        Map<String, Object> prov = new LinkedHashMap<>((Map<String, Object>) json.getOrDefault("provenance", Map.of()));
        prov.put(RunKeys.RESUMED_AT, Instant.now().toString());
        json.put("provenance", prov);
        run.writeJson(RunFolder.CONFIG, json);
    }
}
