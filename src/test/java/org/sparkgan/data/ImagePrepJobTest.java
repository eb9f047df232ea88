package org.sparkgan.data;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * prep of image folders and tables on the real test frogs written as PNG, JPEG, BMP, GIF, grey, palette and alpha
 * files: the pixels of the CIFAR-10 records (exactly where the format is lossless), at 32 and 64 pixels.
 */
class ImagePrepJobTest {
    static final int FROGS = 200;
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static List<byte[]> frogs;
    static List<Row> fromRecords, fromFolder;
    static PrepJob.Summary folderSummary;

    /** Which file of the tree holds frog i, in which form. */
    static String format(int i) {
        if (i < 140) return "png";
        if (i < 160) return "jpg";
        if (i < 170) return "grey.png";
        if (i < 180) return "palette.png";
        if (i < 190) return "alpha.png";
        if (i < 195) return "bmp";
        return "gif";
    }

    @BeforeAll
    static void prepRecordsAndTheirImages() throws Exception {
        spark = TestSpark.session();
        frogs = ImageFiles.frogs(FROGS);
        Path tree = tmp.resolve("tree");
        for (int i = 0; i < FROGS; i++) {
            byte[] f = frogs.get(i);
            Path file = tree.resolve("frog").resolve(String.format("%05d.%s", i, format(i)));
            switch (format(i)) {
                case "png", "bmp" -> ImageFiles.write(ImageFiles.rgb(f, 32), format(i), file);
                case "jpg" -> ImageFiles.writeJpeg(ImageFiles.rgb(f, 32), 0.95f, file);
                case "grey.png" -> ImageFiles.write(ImageFiles.grey(f, 32), "png", file);
                case "palette.png" -> ImageFiles.write(ImageFiles.paletted(f, 32), "png", file);
                case "alpha.png" -> ImageFiles.write(ImageFiles.withAlpha(f, 32), "png", file);
                case "gif" -> ImageFiles.write(ImageFiles.paletted(f, 32), "gif", file);
                default -> throw new IllegalStateException(format(i));
            }
        }
        Files.writeString(tree.resolve("frog").resolve("notes.txt"), "not an image: ignored");
        Path records = tmp.resolve("frogs.bin");
        Files.write(records, Arrays.copyOf(Files.readAllBytes(TestData.frogs("test")), FROGS * CifarFormat.RECORD_BYTES));

        String recordsOut = PrepJob.run(spark, new PrepOptions(records.toString(), tmp.resolve("records").toString(),
                CifarClasses.parseList("all"), CifarParquet.SPLITS, "train", false)).output();
        folderSummary = ImagePrepJob.run(spark, options(tree, tmp.resolve("folder"), 32));
        fromRecords = rows(recordsOut);
        fromFolder = rows(folderSummary.output());
    }

    static ImagePrepOptions options(Path input, Path output, int size) {
        return new ImagePrepOptions(input.toString(), output.toString(), size, null, null, null, "train", false, false);
    }

    static List<Row> rows(String uri) {
        return CifarParquet.read(spark, uri, null, null).orderBy(CifarParquet.ID).collectAsList();
    }

    static byte[] image(Row r) {
        return (byte[]) r.get(r.fieldIndex(CifarParquet.IMAGE));
    }

    @Test
    void oneRowPerImageWithTheRecordsIdsLabelsAndSize() {
        assertEquals(FROGS, fromFolder.size());
        assertEquals(FROGS, folderSummary.totalRows());
        assertEquals(FROGS, folderSummary.imagesRead(), "the text file is not an image");
        assertEquals(0, folderSummary.skipped());
        for (int i = 0; i < FROGS; i++) {
            Row folder = fromFolder.get(i), record = fromRecords.get(i);
            assertEquals(i, folder.getLong(0), "ids follow the sorted paths");
            assertEquals(record.getString(1), folder.getString(1));
            assertEquals(6, folder.getInt(2), "a CIFAR-10 class name keeps its CIFAR-10 label");
            assertEquals("frog", folder.getString(3));
            assertEquals(32, folder.getInt(folder.fieldIndex(CifarParquet.RESOLUTION)));
            assertEquals(32, record.getInt(record.fieldIndex(CifarParquet.RESOLUTION)));
        }
        assertEquals(32, CifarParquet.resolution(spark, folderSummary.output()));
    }

    @Test
    void losslessFilesGiveTheRecordsPixelsExactly() {
        for (int i = 0; i < FROGS; i++) {
            byte[] expected = switch (format(i)) {
                case "png", "bmp", "alpha.png" -> image(fromRecords.get(i));
                case "grey.png" -> grey(ImageFiles.luma(frogs.get(i)));
                case "palette.png", "gif" -> ImageFiles.palettedColours(frogs.get(i), 32);
                default -> null;
            };
            if (expected != null) assertArrayEquals(expected, image(fromFolder.get(i)), format(i) + " frog " + i);
        }
    }

    @Test
    void jpegFilesGiveThePixelsWithinJpegsError() {
        long sum = 0, count = 0;
        int max = 0;
        for (int i = 0; i < FROGS; i++) {
            if (!format(i).equals("jpg")) continue;
            byte[] expected = image(fromRecords.get(i)), actual = image(fromFolder.get(i));
            for (int p = 0; p < expected.length; p++) {
                int d = Math.abs((expected[p] & 0xff) - (actual[p] & 0xff));
                sum += d;
                max = Math.max(max, d);
                count++;
            }
        }
        double mean = (double) sum / count;
        assertTrue(mean > 0 && mean < 4, "mean absolute error " + mean);
        assertTrue(max < 96, "largest error " + max);
    }

    static byte[] grey(byte[] luma) {
        byte[] out = new byte[3 * luma.length];
        for (int c = 0; c < 3; c++) System.arraycopy(luma, 0, out, c * luma.length, luma.length);
        return out;
    }

    @Test
    void at64PixelsAndBackTo32ByAreaAveraging() throws Exception {
        int n = 24;
        Path tree = tmp.resolve("tree64");
        for (int i = 0; i < n; i++) {
            byte[] big = ImageFiles.enlarged(frogs.get(i), 32, 2);
            BufferedImage image = ImageFiles.rgb(big, 64);
            if (i == 0) image = padded(image, 16); // 96x64: its centred square is the frog
            ImageFiles.write(image, "png", tree.resolve("frog").resolve(String.format("%03d.png", i)));
        }
        PrepJob.Summary s64 = ImagePrepJob.run(spark, options(tree, tmp.resolve("frogs64"), 64));
        PrepJob.Summary s32 = ImagePrepJob.run(spark, options(tree, tmp.resolve("frogs64at32"), 32));
        assertEquals(64, s64.resolution());
        assertEquals(64, CifarParquet.resolution(spark, s64.output()));
        List<Row> at64 = rows(s64.output()), at32 = rows(s32.output());
        assertEquals(n, at64.size());
        for (int i = 0; i < n; i++) {
            assertEquals(64, at64.get(i).getInt(at64.get(i).fieldIndex(CifarParquet.RESOLUTION)));
            assertArrayEquals(ImageFiles.enlarged(frogs.get(i), 32, 2), image(at64.get(i)), "64x64 frog " + i);
            assertArrayEquals(frogs.get(i), image(at32.get(i)), "2x2 averages of the 64x64 frog " + i);
        }
        // the trainer's view: 64x64 tensors
        assertArrayEquals(new long[]{n, 3, 64, 64},
                ImageTensors.toTensor(CifarParquet.collectImages(spark, s64.output(), "train", "frog")).shape());
    }

    /** The image with {@code border} columns of a flat colour added left and right. */
    static BufferedImage padded(BufferedImage image, int border) {
        BufferedImage out = new BufferedImage(image.getWidth() + 2 * border, image.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                int sx = x - border;
                out.setRGB(x, y, sx >= 0 && sx < image.getWidth() ? image.getRGB(sx, y) : 0xff00ff);
            }
        }
        return out;
    }

    @Test
    void freeTextClassesGetSortedLabelsAndTheFirstSubFolderNamesTheClass() throws Exception {
        Path tree = tmp.resolve("species");
        ImageFiles.write(ImageFiles.rgb(frogs.get(0), 32), "png", tree.resolve("tree frog").resolve("a.png"));
        ImageFiles.write(ImageFiles.rgb(frogs.get(1), 32), "png", tree.resolve("tree frog").resolve("pond/b.png"));
        ImageFiles.write(ImageFiles.rgb(frogs.get(2), 32), "png", tree.resolve("Bullfrog").resolve("c.png"));
        PrepJob.Summary s = ImagePrepJob.run(spark, options(tree, tmp.resolve("species-out"), 32));
        Map<String, Integer> labels = new TreeMap<>();
        for (Row r : rows(s.output())) labels.put(r.getString(3), r.getInt(2));
        assertEquals(Map.of("Bullfrog", 0, "tree frog", 1), labels, "sorted names (Unicode order) numbered from 0");
        assertEquals(2, CifarParquet.collectImages(spark, s.output(), "train", "tree frog").size());
        assertEquals(2, CifarParquet.collectImages(spark, s.output(), "train", "TREE FROG").size(), "any case");
        assertArrayEquals(frogs.get(1), CifarParquet.collectImages(spark, s.output(), "train", "tree frog").get(1));

        Path flat = tmp.resolve("flat");
        ImageFiles.write(ImageFiles.rgb(frogs.get(3), 32), "png", flat.resolve("x.png"));
        PrepJob.Summary toads = ImagePrepJob.run(spark, new ImagePrepOptions(flat.toString(),
                tmp.resolve("flat-out").toString(), 32, "toad", null, null, "test", false, false));
        Row toad = rows(toads.output()).get(0);
        assertEquals(List.of("test", 0, "toad"), List.of(toad.getString(1), toad.getInt(2), toad.getString(3)));
    }

    @Test
    void aBinaryFileTableAndImageSourceRowsPrepToTheFolderRows() throws Exception {
        int n = 30;
        Path tree = tmp.resolve("table-tree");
        for (int i = 0; i < n; i++) {
            ImageFiles.write(ImageFiles.rgb(frogs.get(i), 32), "png", tree.resolve("frog").resolve(i + ".png"));
        }
        Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .load(tree.toUri().toString());
        String binaryTable = tmp.resolve("binary-table").toString();
        files.write().parquet(binaryTable);

        // Spark's image source rows (ImageSchema): origin, height, width, nChannels, mode (CV_8UC3 = 16), BGR data
        StructType imageStruct = new StructType().add("origin", DataTypes.StringType).add("height", DataTypes.IntegerType)
                .add("width", DataTypes.IntegerType).add("nChannels", DataTypes.IntegerType)
                .add("mode", DataTypes.IntegerType).add("data", DataTypes.BinaryType);
        List<Row> imageRows = new ArrayList<>();
        for (Row f : files.select("path").collectAsList()) {
            String path = f.getString(0);
            byte[] planar = frogs.get(Integer.parseInt(path.substring(path.lastIndexOf('/') + 1, path.length() - 4)));
            byte[] bgr = new byte[planar.length];
            for (int p = 0; p < 1024; p++) {
                bgr[3 * p] = planar[2048 + p];
                bgr[3 * p + 1] = planar[1024 + p];
                bgr[3 * p + 2] = planar[p];
            }
            imageRows.add(RowFactory.create(RowFactory.create(path, 32, 32, 3, 16, bgr)));
        }
        String imageTable = tmp.resolve("image-table").toString();
        spark.createDataFrame(imageRows, new StructType().add("image", imageStruct)).write().parquet(imageTable);

        List<Row> folder = rows(ImagePrepJob.run(spark, options(tree, tmp.resolve("t-folder"), 32)).output());
        List<Row> binary = rows(ImagePrepJob.run(spark, new ImagePrepOptions(binaryTable,
                tmp.resolve("t-binary").toString(), 32, null, null, null, "train", false, false)).output());
        List<Row> image = rows(ImagePrepJob.run(spark, new ImagePrepOptions(imageTable,
                tmp.resolve("t-image").toString(), 32, null, null, null, "train", false, false)).output());
        assertEquals(n, folder.size());
        for (List<Row> other : List.of(binary, image)) {
            assertEquals(n, other.size());
            for (int i = 0; i < n; i++) {
                assertEquals(folder.get(i).getLong(0), other.get(i).getLong(0));
                assertEquals(folder.get(i).getString(3), other.get(i).getString(3));
                assertEquals(folder.get(i).getInt(2), other.get(i).getInt(2));
                assertArrayEquals(image(folder.get(i)), image(other.get(i)), "row " + i);
            }
        }
        // ids follow the sorted paths: "10.png" sorts before "2.png"
        assertArrayEquals(frogs.get(10), image(folder.get(2)));

        String labelled = tmp.resolve("labelled-table").toString();
        files.withColumn("species", lit("toad")).write().parquet(labelled);
        List<Row> toads = rows(ImagePrepJob.run(spark, new ImagePrepOptions(labelled,
                tmp.resolve("t-labelled").toString(), 32, null, null, "species", "train", false, false)).output());
        assertTrue(toads.stream().allMatch(r -> r.getString(3).equals("toad")));
    }
}
