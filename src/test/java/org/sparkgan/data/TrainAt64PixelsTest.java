package org.sparkgan.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.cli.MainTest;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** From a folder of 64×64 PNGs to a 64-pixel DCGAN: prep --size 64, then train at the data set's size, and resume. */
class TrainAt64PixelsTest {
    @TempDir
    static Path dir;

    @Test
    void prepsTrainsAndResumesAt64Pixels() throws Exception {
        Path tree = dir.resolve("pngs/frog");
        Files.createDirectories(tree);
        List<byte[]> frogs = ImageFiles.frogs(48);
        for (int i = 0; i < frogs.size(); i++) {
            ImageIO.write(ImageFiles.rgb(ImageFiles.enlarged(frogs.get(i), 32, 2), 64), "png",
                    tree.resolve(String.format("%05d.png", i)).toFile());
        }
        String data = dir.resolve("frogs64").toString(), run = dir.resolve("run").toString();
        MainTest.Result prep = MainTest.run("prep", "--input", dir.resolve("pngs").toString(), "--output", data,
                "--size", "64");
        assertEquals(0, prep.status(), prep.err());

        MainTest.Result refused = train(data, run, "--resolution", "32", "--steps", "2");
        assertEquals(2, refused.status(), refused.err());
        assertTrue(refused.err().contains("its images are 64x64 but --resolution is 32"), refused.err());

        MainTest.Result trained = train(data, run, "--steps", "2");
        assertEquals(0, trained.status(), trained.err());
        assertTrue(trained.out().contains("at 64x64 (G "), trained.out());
        BufferedImage grid = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(
                Path.of(run, "samples/step-000002.png"))));
        assertEquals(8 * 64 + 9 * 2, grid.getWidth(), "an 8x8 grid of 64-pixel samples with 2-pixel gaps");
        assertTrue(Files.readString(Path.of(run, "config.json")).contains("\"resolution\" : \"64\""),
                "the data set's size is recorded");

        MainTest.Result resumed = train(data, run, "--resume", "--steps", "3");
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.out().contains("resuming from") && resumed.out().contains("step 3/3"), resumed.out());
    }

    private static MainTest.Result train(String data, String run, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data, "--output", run, "--preset", "small",
                "--g-dense-channels", "8", "--g-filters", "8", "--d-filters", "8", "--batch-size", "8",
                "--threads", "2", "--log-every", "1", "--sample-every", "2", "--checkpoint-every", "2"));
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(String[]::new));
    }
}
