package org.sparkgan.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;
import org.sparkgan.model.Dcgan;
import org.sparkgan.train.GanStep;
import org.sparkgan.train.Seeds;
import org.sparkgan.train.TrainConfig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a training step's time goes by libnd4j op, and what an op call costs when it does nothing: ND4J's op profiler
 * over a few steps of the product's {@link GanStep}, then a loop of scalar adds on one float. The number of op calls
 * per step times that cost is the step's per-op floor, what no fusing of small ops could go below.
 */
public final class OpCensus {
    /**
     * One op: every call per step, and the milliseconds per step of its calls over 0.1 ms (as profiled: the profiler
     * adds to every call); the shorter calls are counted but not timed.
     */
    public record Op(String name, double callsPerStep, double msPerStep) {}

    public record Result(List<Op> ops, double callsPerStep, double stepSeconds, double profiledStepSeconds,
                         double emptyCallMicros, int iterations) {
        /** Milliseconds a step would spend on op calls if every op did nothing. */
        public double floorMs() {
            return callsPerStep * emptyCallMicros / 1000;
        }
    }

    /**
     * Lines of ND4J 1.0.0-M2's profiler; BenchCommandTest fails if another version prints something else.
     * {@code OpProfiler.getOpCounter().asString()} counts every call by op name: {@code conv2d  >>> [18] perc: [6.0]}.
     * {@code getLongAggergator().asString()} times by op instance, but only the calls over {@link #TIMED_OVER_NS}:
     * {@code CustomOp conv2d_bp (hash)  >>>  13 calls; Min: … ns; Max: … ns; Average: … ns; Median: … ns;}.
     */
    private static final Pattern COUNT_LINE = Pattern.compile("^(\\S+)\\s+>>> \\[(\\d+)\\]");
    private static final Pattern TIME_LINE = Pattern.compile("^\\S+ (\\S+) \\(.*\\)\\s+>>>\\s+(\\d+) calls;.*Average: (\\d+) ns");
    /** ND4J's profiler times an op by name only when a call takes longer than this (its own fixed threshold). */
    public static final long TIMED_OVER_NS = 100_000;
    private static final int EMPTY_CALLS = 100_000;

    private OpCensus() {}

    public static Result run(TrainConfig c, int warmup, int iterations) {
        GanStep step = Bench.freshStep(c, Dcgan.Convolutions.OPS);
        INDArray reals = Bench.randomReals(c);
        long s = 1;
        for (int i = 0; i < warmup; i++) step.run(reals, Seeds.step(c.seed(), s++));
        double[] plain = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            step.run(reals, Seeds.step(c.seed(), s++));
            plain[i] = (System.nanoTime() - t0) / 1e9;
        }
        OpProfiler profiler = OpProfiler.getInstance();
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
        profiler.reset();
        double[] profiled = new double[iterations];
        try {
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                step.run(reals, Seeds.step(c.seed(), s++));
                profiled[i] = (System.nanoTime() - t0) / 1e9;
            }
        } finally {
            Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
        }
        List<Op> ops = parse(profiler.getOpCounter().asString(), profiler.getLongAggergator().asString(), iterations);
        double calls = profiler.getInvocationsCount() / (double) iterations;
        profiler.reset();
        return new Result(ops, calls, Bench.median(plain), Bench.median(profiled), emptyCallMicros(), iterations);
    }

    static List<Op> parse(String counts, String longCalls, int iterations) {
        Map<String, Long> nanos = new LinkedHashMap<>();
        for (String line : longCalls.split("\n")) {
            Matcher m = TIME_LINE.matcher(line.trim());
            // one line per op instance, and a step may create an op afresh: sum by name
            if (m.find()) nanos.merge(m.group(1), Long.parseLong(m.group(2)) * Long.parseLong(m.group(3)), Long::sum);
        }
        List<Op> ops = new ArrayList<>();
        for (String line : counts.split("\n")) {
            Matcher m = COUNT_LINE.matcher(line.trim());
            if (!m.find()) continue;
            ops.add(new Op(m.group(1), Long.parseLong(m.group(2)) / (double) iterations,
                    nanos.getOrDefault(m.group(1), 0L) / 1e6 / iterations));
        }
        ops.sort(Comparator.comparingDouble(Op::msPerStep).reversed());
        return ops;
    }

    /** Microseconds of one scalar add on a one-element array: the fixed cost of an op call from Java. */
    private static double emptyCallMicros() {
        INDArray one = Nd4j.zeros(DataType.FLOAT, 1);
        for (int i = 0; i < EMPTY_CALLS / 5; i++) one.addi(1);
        long t0 = System.nanoTime();
        for (int i = 0; i < EMPTY_CALLS; i++) one.addi(1);
        return (System.nanoTime() - t0) / 1e3 / EMPTY_CALLS;
    }

    public static Map<String, Object> toJson(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "ops");
        m.put("step_sec", r.stepSeconds());
        m.put("profiled_step_sec", r.profiledStepSeconds());
        m.put("op_calls_per_step", r.callsPerStep());
        m.put("empty_op_call_us", r.emptyCallMicros());
        m.put("ms_counts_calls_over_us", TIMED_OVER_NS / 1000);
        m.put("per_op_floor_ms", r.floorMs());
        m.put("ops", r.ops().stream().map(o -> Map.of("op", o.name(), "calls_per_step", o.callsPerStep(),
                "ms_per_step", o.msPerStep())).toList());
        return m;
    }

    public static String toText(Result r) {
        double opMs = r.ops().stream().mapToDouble(Op::msPerStep).sum();
        StringBuilder sb = new StringBuilder(String.format(
                "per libnd4j op, over %d profiled steps (the profiler adds to every call: %.3f s/step profiled, %.3f s"
                        + " without)%n", r.iterations(), r.profiledStepSeconds(), r.stepSeconds()));
        sb.append(String.format("  %-24s %10s %10s %8s   (ms: the calls over %d us; the profiler times no shorter"
                + " ones)%n", "op", "calls/step", "ms/step", "share", TIMED_OVER_NS / 1000));
        for (Op o : r.ops()) {
            sb.append(String.format("  %-24s %10.1f %10.1f %7.1f%%%n", o.name(), o.callsPerStep(), o.msPerStep(),
                    100 * o.msPerStep() / opMs));
        }
        sb.append(String.format("  %.0f op calls per step; an empty one (a scalar add on one float) costs %.1f us, so"
                        + " the calls alone are %.1f ms, %.1f%% of the step%n", r.callsPerStep(), r.emptyCallMicros(),
                r.floorMs(), 100 * r.floorMs() / (1000 * r.stepSeconds())));
        return sb.toString();
    }
}
