package org.sparkgan.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.testing.TestData;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** data-prep/download-cifar10.sh: accepts the official or a re-packed archive, refuses anything else. */
class DownloadScriptTest {
    @TempDir
    Path dir;

    record Run(int status, String output) {}

    Run script(String url, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", "data-prep/download-cifar10.sh"));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (url != null) pb.environment().put("CIFAR10_URL", url);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Run(p.waitFor(), out);
    }

    @Test
    void downloadsAndVerifiesARepackedArchive() throws Exception {
        Run r = script(TestData.archive().toUri().toString(), dir.toString());
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("per-file MD5s match"), r.output());
        assertEquals(Files.size(TestData.archive()), Files.size(dir.resolve("cifar-10-binary.tar.gz")));
    }

    @Test
    void refusesABadDownloadAndKeepsNothing() throws Exception {
        Path truncated = dir.resolve("truncated.tar.gz");
        try (var in = Files.newInputStream(TestData.archive())) {
            Files.write(truncated, in.readNBytes(2_000_000));
        }
        Path target = dir.resolve("dl");
        Run r = script(truncated.toUri().toString(), target.toString());
        assertEquals(1, r.status(), r.output());
        assertTrue(r.output().contains("error: downloaded file failed verification"), r.output());
        assertFalse(Arrays.stream(target.toFile().listFiles()).map(File::getName).anyMatch(n -> n.startsWith("cifar")));
    }

    @Test
    void verifyModeChecksAnExistingFile() throws Exception {
        assertEquals(0, script(null, "--verify", TestData.archive().toString()).status());
        assertEquals(1, script(null, "--verify", TestData.frogs("test").toString()).status());
    }
}
