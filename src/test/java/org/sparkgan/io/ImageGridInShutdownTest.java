package org.sparkgan.io;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SIGTERM stop writes its samples from the JVM's shutdown: a PNG must encode there. With ImageIO's file cache it threw
 * "Shutdown in progress", which ended a study run without its stop checkpoint. Forks a JVM, hence the tag.
 */
@Tag("cluster")
class ImageGridInShutdownTest {
    @Test
    void encodesWhileTheJvmShutsDown() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EncodeInShutdownHook.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(out.startsWith("png "), out);
        assertEquals(0, p.exitValue(), out);
    }

    /** Encodes a picture in a shutdown hook and prints its size, or the failure. */
    static final class EncodeInShutdownHook {
        public static void main(String[] args) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    byte[] png = ImageGrid.encode(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB));
                    boolean signature = png[0] == (byte) 0x89 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G';
                    System.out.println(signature ? "png " + png.length : "failed: not a PNG");
                } catch (Exception | Error e) {
                    System.out.println("failed: " + e);
                }
            }));
        }
    }
}
