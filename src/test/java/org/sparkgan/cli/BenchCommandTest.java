package org.sparkgan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.sparkgan.testing.TestSpark;

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
}
