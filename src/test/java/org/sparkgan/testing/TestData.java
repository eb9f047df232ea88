package org.sparkgan.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real CIFAR-10 files the tests read. Missing data fails the test loudly: it is never skipped. */
public final class TestData {
    private TestData() {}

    public static Path folder() {
        String dir = System.getProperty("sparkgan.test.data");
        if (dir == null || dir.isBlank() || dir.startsWith("${")) {
            throw new IllegalStateException("CIFAR-10 test data not configured: set SPARKGAN_TEST_DATA to the folder "
                    + "holding cifar-10-binary.tar.gz and cifar10-frog/{train,test}.bin");
        }
        Path p = Path.of(dir);
        if (!Files.isRegularFile(p.resolve("cifar-10-binary.tar.gz"))) {
            throw new IllegalStateException("CIFAR-10 test data missing: no cifar-10-binary.tar.gz in " + p.toAbsolutePath()
                    + " (SPARKGAN_TEST_DATA must name the folder holding it and cifar10-frog/)");
        }
        return p;
    }

    public static Path archive() {
        return folder().resolve("cifar-10-binary.tar.gz");
    }

    public static Path frogs(String split) {
        return folder().resolve("cifar10-frog").resolve(split + ".bin");
    }
}
