package org.sparkgan.train;

import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.io.RunFolder;
import org.sparkgan.testing.MiniHdfs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkgan.train.TrainerTest.assertSameMetrics;
import static org.sparkgan.train.TrainerTest.assertSameState;

/**
 * Faults of the storage under a run folder on HDFS (two DataNodes, replication 2): the run either goes on, or stops
 * with an error and ends under {@code --resume auto}, with the metrics and networks of an undisturbed run. Tagged
 * "cluster" with the other slow fault tests: a NameNode restart and a lost DataNode's retries take minutes.
 */
@Tag("cluster")
class StorageFaultsTest {
    static final int STEPS = 24;
    static INDArray frogs;
    @TempDir
    Path dir;

    @BeforeAll
    static void loadFrogs() throws Exception {
        frogs = TinyRuns.frogs(200);
    }

    private static TrainConfig config() {
        return TinyRuns.config("steps", Integer.toString(STEPS), "log-every", "1", "checkpoint-every", "4",
                "sample-every", "8");
    }

    /** The NameNode goes down after step 10 and comes back while the trainer writes: a restart in the background. */
    @Test
    void aNameNodeRestartedMidRun() throws Exception {
        Thread[] restart = new Thread[1];
        String outcome = disturbed("namenode", hdfs -> {
            restart[0] = new Thread(() -> {
                try {
                    hdfs.cluster().restartNameNode(true);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            restart[0].start();
        }, () -> restart[0].join());
        System.out.println("NameNode restarted after step 10: " + outcome);
    }

    /** A DataNode stops after step 10 and the NameNode marks it dead (as its heartbeats' expiry would). */
    @Test
    void oneOfTwoDataNodesLost() throws Exception {
        String outcome = disturbed("datanode", hdfs -> {
            var lost = hdfs.cluster().getDataNodes().get(1).getDatanodeId();
            hdfs.cluster().stopDataNode(1);
            try {
                hdfs.cluster().setDataNodeDead(lost);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, () -> {});
        System.out.println("DataNode 1 of 2 lost after step 10: " + outcome);
    }

    interface Wait {
        void until() throws Exception;
    }

    /**
     * Trains on an HDFS run folder, applies {@code fault} after step 10, and if the run stopped, resumes it with AUTO
     * once the storage has {@code recovered}; then compares with an undisturbed run. Returns what the run did.
     */
    private String disturbed(String name, Consumer<MiniHdfs> fault, Wait recovered) throws Exception {
        try (MiniHdfs hdfs = MiniHdfs.start(dir.resolve(name + "-hdfs"), 2)) {
            Configuration conf = new Configuration();
            conf.setInt("dfs.replication", 2);
            RunFolder run = RunFolder.at(hdfs.uri() + "/runs/" + name, conf);
            String outcome;
            try {
                train(run, Trainer.Start.NEW, new RunObserver() {
                    @Override
                    public Map<String, Object> afterRound(long before, long after, MultiLayerNetwork g,
                                                          MultiLayerNetwork ema) {
                        if (after == 10) fault.accept(hdfs);
                        return Map.of();
                    }
                });
                outcome = "went on to the end";
            } catch (IOException stopped) {
                String line = stopped.getMessage().lines().findFirst().orElse("");
                recovered.until();
                train(run, Trainer.Start.AUTO);
                outcome = "stopped (" + line + "), then --resume auto ran to the end";
            }
            RunFolder undisturbed = RunFolder.at(dir.resolve(name + "-undisturbed").toString(), new Configuration());
            train(undisturbed, Trainer.Start.NEW);
            assertSameMetrics(undisturbed.readMetrics(), run.readMetrics());
            assertSameState(checkpoint(undisturbed), checkpoint(run));
            assertFalse(run.fileSystem().exists(run.path(".config.json.tmp")), "no temporary left");
            assertEquals(STEPS, checkpoint(run).step());
            return outcome;
        }
    }

    private static void train(RunFolder run, Trainer.Start start, RunObserver... observers) throws IOException {
        TrainConfig c = config();
        Trainer t = Trainer.local(c, new RealImages(frogs, c.batchSize(), c.seed()), run, Map.of(),
                new PrintStream(new ByteArrayOutputStream()));
        for (RunObserver o : observers) t.observe(o);
        t.train(start);
    }

    private static Checkpoint checkpoint(RunFolder run) throws Exception {
        return Checkpoint.load(run.path(RunFolder.CHECKPOINTS + "/" + RunFolder.stepName(STEPS)).toString(),
                run.fileSystem().getConf());
    }
}
