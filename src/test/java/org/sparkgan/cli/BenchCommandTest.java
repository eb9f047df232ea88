package org.sparkgan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.sparkgan.testing.TestSpark;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bench prints every phase with its figures, single-JVM and on Spark, as JSON. */
class BenchCommandTest {
    @Test
    @SuppressWarnings("unchecked")
    void jsonReportOfBothModes() throws Exception {
        TestSpark.session(); // bench reuses the test's local[2] session (and stops it)
        MainTest.Result r = MainTest.run("bench", "--preset", "small", "--batch-size", "4", "--warmup", "0",
                "--iterations", "1", "--workers", "2", "--averaging-frequency", "1", "--threads", "1", "--json");
        assertEquals(0, r.status(), r.err());
        Map<String, Object> json = new ObjectMapper().readValue(r.out(), Map.class);
        List<Map<String, Object>> reports = (List<Map<String, Object>>) json.get("reports");
        assertEquals(2, reports.size());
        List<String> jvmPhases = ((List<Map<String, Object>>) reports.get(0).get("phases")).stream()
                .map(p -> (String) p.get("phase")).toList();
        assertEquals(List.of("fake generation", "D step", "G step", "iteration"), jvmPhases);
        Map<String, Object> gStep = ((List<Map<String, Object>>) reports.get(0).get("phases")).get(2);
        assertTrue(((Number) gStep.get("gflops")).doubleValue() > 0);
        assertTrue(((List<Map<String, Object>>) reports.get(1).get("phases")).stream()
                .anyMatch(p -> p.get("phase").toString().startsWith("averaging")));
        for (Map<String, Object> report : reports) {
            assertTrue(((Number) report.get("images_per_sec")).doubleValue() > 0);
            assertTrue(((Number) report.get("process_cpu_sec")).doubleValue() > 0);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void layerProfileTimesEveryLayerForwardAndBackward() throws Exception {
        MainTest.Result r = MainTest.run("bench", "--preset", "small", "--batch-size", "2", "--warmup", "0",
                "--iterations", "1", "--mode", "layers", "--threads", "1", "--json");
        assertEquals(0, r.status(), r.err());
        Map<String, Object> json = new ObjectMapper().readValue(r.out(), Map.class);
        List<Map<String, Object>> phases = (List<Map<String, Object>>)
                ((List<Map<String, Object>>) json.get("reports")).get(0).get("phases");
        List<String> names = phases.stream().map(p -> (String) p.get("phase")).toList();
        // G: Dense + 5 convolutions, D: 4 convolutions + dropout + output, each forward and backward
        assertEquals(2 * (6 + 6), names.size(), names.toString());
        assertEquals("G2 convT 4/2 64->64 32x32 fwd", names.get(4));
        assertTrue(names.contains("D0 conv 3/1 3->64 30x30 bwd"), names.toString());
        assertTrue(((Number) phases.get(4).get("gflops")).doubleValue() > 0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void opCensusCountsTheConvolutionOpsOfAStepAndTheCostOfAnEmptyCall() throws Exception {
        MainTest.Result r = MainTest.run("bench", "--preset", "small", "--batch-size", "2", "--warmup", "1",
                "--iterations", "1", "--mode", "ops", "--threads", "1", "--json");
        assertEquals(0, r.status(), r.err());
        Map<String, Object> json = new ObjectMapper().readValue(r.out(), Map.class);
        Map<String, Object> census = ((List<Map<String, Object>>) json.get("reports")).get(0);
        assertEquals("ops", census.get("mode"));
        Map<String, Double> calls = new HashMap<>();
        for (Map<String, Object> op : (List<Map<String, Object>>) census.get("ops")) {
            calls.put((String) op.get("op"), ((Number) op.get("calls_per_step")).doubleValue());
            assertTrue(((Number) op.get("ms_per_step")).doubleValue() >= 0, op.toString());
        }
        // a batch-2 convolution's backward pass takes over 0.1 ms, the profiler's threshold for timing a call
        assertTrue(((Number) ((List<Map<String, Object>>) census.get("ops")).get(0).get("ms_per_step")).doubleValue() > 0);
        // every convolution runs forward in both fake passes and D's two passes, backward in D's two and in G's:
        // G's 5 op convolutions (the transposed one as one) and D's 4
        assertEquals(2 * 5 + 2 * 4, calls.get("conv2d"), 0.0, calls.toString());
        assertEquals(5 + 2 * 4, calls.get("conv2d_bp"), 0.0, calls.toString());
        double total = ((Number) census.get("op_calls_per_step")).doubleValue();
        // the census lists every call, however short
        assertEquals(total, calls.values().stream().mapToDouble(Double::doubleValue).sum(), 0.0, census.toString());
        assertTrue(((Number) census.get("empty_op_call_us")).doubleValue() > 0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void averagingCostGivesEachTreeLevelItsSumsAndShuffleBytes() throws Exception {
        TestSpark.session();
        MainTest.Result r = MainTest.run("bench", "--preset", "small", "--mode", "averaging", "--workers", "4",
                "--iterations", "1", "--threads", "1", "--json");
        assertEquals(0, r.status(), r.err());
        Map<String, Object> json = new ObjectMapper().readValue(r.out(), Map.class);
        Map<String, Object> cost = ((List<Map<String, Object>>) json.get("reports")).get(0);
        assertEquals("averaging", cost.get("mode"));
        // the small preset's G and D, parameters and RMSprop states: 2 x (601,539 + 198,849)
        assertEquals(2L * (601_539 + 198_849), ((Number) cost.get("model_floats")).longValue());
        long serialized = ((Number) cost.get("serialized_bytes")).longValue();
        assertTrue(serialized > 4 * 2 * (601_539 + 198_849), cost.toString());
        List<Map<String, Object>> trees = (List<Map<String, Object>>) cost.get("trees");
        assertEquals(List.of(1, 2, 3, 4), trees.stream().map(t -> ((Number) t.get("workers")).intValue()).toList());
        // W = 4: level 1 writes the 4 workers' sums, level 2 the 2 pair sums, each about one model's bytes
        List<Map<String, Object>> levels = (List<Map<String, Object>>) trees.get(3).get("levels");
        assertEquals(List.of(4, 2), levels.stream().map(l -> ((Number) l.get("sums")).intValue()).toList());
        for (Map<String, Object> level : levels) {
            double perSum = ((Number) level.get("shuffle_bytes")).doubleValue() / ((Number) level.get("sums")).intValue();
            assertTrue(perSum > 0.5 * serialized && perSum < 1.5 * serialized, level + " vs " + serialized);
        }
        assertTrue(((List<?>) trees.get(0).get("levels")).isEmpty(), "one worker: no level");
    }
}
