package org.sparkgan.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** The Python that the reference tests run their scripts with. */
public final class Pythons {
    private Pythons() {}

    /**
     * A Python that imports {@code module}: SPARKGAN_PYTHON if set, else Debian's system Python (where the
     * python3-* packages install), else python3 on the PATH. None is a failure, never a skip: these tests are the
     * suite's checks against implementations outside the product.
     */
    public static String importing(String module, String debianPackage) {
        List<String> candidates = new ArrayList<>();
        String configured = System.getenv("SPARKGAN_PYTHON");
        if (configured != null && !configured.isBlank()) candidates.add(configured);
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        for (String python : candidates) {
            if (imports(python, module)) return python;
        }
        return fail("no Python with " + module + " found (tried " + String.join(", ", candidates) + "): install "
                + "Debian's " + debianPackage + " (apt-get install " + debianPackage + "), or set SPARKGAN_PYTHON to "
                + "a Python that has " + module);
    }

    private static boolean imports(String python, String module) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import " + module).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
