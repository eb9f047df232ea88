package org.sparkgan.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/** This machine's processes by command line: the executors and ApplicationMasters that fault tests kill. */
public final class Processes {
    private Processes() {}

    /** The live processes whose command line passes {@code test}. */
    public static List<ProcessHandle> matching(Predicate<String> test) {
        return ProcessHandle.allProcesses().filter(p -> test.test(commandLine(p))).toList();
    }

    /** The JDK leaves a command line as long as an executor's (its class path) unread: read Linux's own record. */
    public static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"))).replace('\0', ' ');
        } catch (IOException gone) {
            return p.info().commandLine().orElse("");
        }
    }

    /** The peak resident memory of a live process in bytes (Linux's VmHWM), or 0 once it is gone. */
    public static long peakResidentBytes(ProcessHandle p) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException gone) {
            // exited between the listing and the reading
        }
        return 0;
    }
}
