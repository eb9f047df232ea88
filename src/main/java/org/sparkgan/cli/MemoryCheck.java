package org.sparkgan.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.sparkgan.BadInputException;
import org.sparkgan.model.Dcgan;
import org.sparkgan.train.TrainConfig;

/**
 * Refuses, before any work, a JVM whose off-heap limit (where ND4J keeps every array) is too small for the chosen
 * model: otherwise the run dies minutes later with an allocation error deep inside a convolution.
 */
final class MemoryCheck {
    private MemoryCheck() {}

    /**
     * A conservative estimate of ND4J's peak off-heap bytes for one training JVM, from the networks' configurations:
     * parameters, gradients and two RMSprop-sized copies of both networks (×4 floats), plus every layer output of G and
     * D and its gradient for 2·batch images, with im2col-style working memory (×3), plus the native libraries' own
     * working set.
     */
    static long estimateOffHeapBytes(TrainConfig c) {
        MultiLayerConfiguration g = Dcgan.generatorConfiguration(c.model(), c.optimizer(), 0, Dcgan.Convolutions.OPS);
        MultiLayerConfiguration d = Dcgan.discriminatorConfiguration(c.model(), c.optimizer(), 0, Dcgan.Convolutions.OPS);
        long params = 4L * 4 * (parameters(g) + parameters(d));
        long perImage = activations(g, Dcgan.generatorInput(c.model())) + activations(d, Dcgan.discriminatorInput(c.model()));
        long activations = 4L * 3 * 2 * c.batchSize() * perImage;
        return params + activations + 256L * 1024 * 1024;
    }

    private static long parameters(MultiLayerConfiguration conf) {
        long n = 0;
        for (NeuralNetConfiguration layer : conf.getConfs()) n += layer.getLayer().initializer().numParams(layer);
        return n;
    }

    private static long activations(MultiLayerConfiguration conf, InputType input) {
        long n = 0;
        for (InputType out : conf.getLayerActivationTypes(input)) n += out.arrayElementsPerExample();
        return n;
    }

    /**
     * What a JVM needs beside its heap and ND4J's arrays: metaspace, code, thread stacks, Netty's buffers, libnd4j's
     * and oneDNN's code and working memory. Measured on YARN containers: docs/yarn.md.
     */
    static final long JVM_NATIVE_BYTES = 384L << 20;

    /**
     * On YARN and Kubernetes, which kill a container whose resident memory passes heap + memory overhead: refuses
     * an overhead that cannot hold ND4J's off-heap limit plus {@link #JVM_NATIVE_BYTES}, for the executors and for a
     * driver the cluster runs (cluster deploy mode), and executors whose off-heap limit is below the preset's estimate.
     * Otherwise a run starts and its containers die at their first large allocation, or at a random later one.
     */
    static void requireContainerMemoryFor(TrainConfig c, SparkConf conf) {
        String master = conf.get("spark.master", "");
        if (!master.startsWith("yarn") && !master.startsWith("k8s")) return; // nothing enforces a container size
        requireContainer(c, conf, "executor", true);
        if ("cluster".equals(conf.get("spark.submit.deployMode", "client"))) requireContainer(c, conf, "driver", false);
    }

    private static void requireContainer(TrainConfig c, SparkConf conf, String role, boolean checkOffHeap) {
        long heap = JavaUtils.byteStringAsBytes(conf.get("spark." + role + ".memory", "1g"));
        long offHeap = offHeapLimit(conf.get("spark." + role + ".extraJavaOptions", ""), heap);
        if (checkOffHeap) {
            long need = estimateOffHeapBytes(c);
            if (offHeap < need) {
                throw new BadInputException(String.format("the %ss' off-heap limit %,d MB is below the ~%,d MB that "
                        + "preset %s at batch %d needs: raise -Dorg.bytedeco.javacpp.maxbytes in "
                        + "spark.%s.extraJavaOptions (JAVACPP_MAXBYTES) to %dm", role, offHeap >> 20, need >> 20,
                        c.preset(), c.batchSize(), role, (need >> 20) * 2));
            }
        }
        String key = "spark." + role + ".memoryOverhead";
        long overhead = conf.contains(key) ? JavaUtils.byteStringAsMb(conf.get(key)) << 20
                : Math.max(384L << 20, (long) (heap * conf.getDouble("spark." + role + ".memoryOverheadFactor", 0.10)));
        long need = offHeap + JVM_NATIVE_BYTES;
        if (overhead < need) {
            throw new BadInputException(String.format("%s %,d MB cannot hold the %s's off-heap limit of %,d MB "
                    + "(-Dorg.bytedeco.javacpp.maxbytes, default: the heap) plus ~%d MB for the JVM and native "
                    + "libraries, and the cluster would kill the container: raise it to %dm (%s_MEMORY_OVERHEAD)",
                    key, overhead >> 20, role, offHeap >> 20, JVM_NATIVE_BYTES >> 20, need >> 20,
                    role.toUpperCase(java.util.Locale.ROOT)));
        }
    }

    /** JavaCPP's off-heap limit that these JVM options give: its -D property, else the heap (JavaCPP's default). */
    static long offHeapLimit(String javaOptions, long heap) {
        long limit = heap;
        for (String option : javaOptions.trim().split("\\s+")) {
            if (option.startsWith("-Dorg.bytedeco.javacpp.maxbytes=")) {
                limit = Pointer.parseBytes(option.substring(option.indexOf('=') + 1), heap);
            }
        }
        return limit;
    }

    static void requireOffHeapFor(TrainConfig c) {
        requireOffHeapFor(c, Pointer.maxBytes());
    }

    /** @param limit the off-heap limit in bytes; 0 or less means none */
    static void requireOffHeapFor(TrainConfig c, long limit) {
        long need = estimateOffHeapBytes(c);
        if (limit > 0 && limit < need) {
            throw new BadInputException(String.format("off-heap limit %,d MB is below the ~%,d MB that preset %s at "
                    + "batch %d needs: raise it with -Dorg.bytedeco.javacpp.maxbytes=%dm (or a larger -Xmx, which "
                    + "sets the default)", limit >> 20, need >> 20, c.preset(), c.batchSize(), (need >> 20) * 2));
        }
    }
}
