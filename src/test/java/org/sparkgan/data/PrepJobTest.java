package org.sparkgan.data;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The prep job on the real CIFAR-10 archive: counts, known values, and every image byte-for-byte. */
class PrepJobTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static PrepJob.Summary all;

    @BeforeAll
    static void prepWholeArchive() throws Exception {
        spark = TestSpark.session();
        all = PrepJob.run(spark, options(TestData.archive(), tmp.resolve("all"), "all"));
    }

    static PrepOptions options(Path input, Path output, String classes) {
        return new PrepOptions(input.toString(), output.toString(), CifarClasses.parseList(classes),
                CifarParquet.SPLITS, "train", false);
    }

    @Test
    void countsPerSplitAndClass() {
        assertEquals(60_000, all.totalRows());
        for (String name : CifarClasses.NAMES) {
            assertEquals(5_000L, all.rows().get("train").get(name), name);
            assertEquals(1_000L, all.rows().get("test").get(name), name);
        }
        assertTrue(all.files() > 0 && all.bytes() > 60_000L * CifarFormat.IMAGE_BYTES * 9 / 10);
    }

    @Test
    void schemaAndKnownValues() {
        Dataset<Row> train = CifarParquet.read(spark, all.output(), "train", null).orderBy("id");
        assertEquals(CifarParquet.SCHEMA.fieldNames().length, train.columns().length);
        assertArrayEquals(CifarParquet.SCHEMA.fieldNames(), train.columns());
        List<Row> first = train.limit(5).collectAsList();
        int[] labels = first.stream().mapToInt(r -> r.getInt(2)).toArray();
        assertArrayEquals(new int[]{6, 9, 9, 4, 1}, labels);
        assertEquals("frog", first.get(0).getString(3));
        byte[] image0 = (byte[]) first.get(0).get(4);
        assertEquals(CifarFormat.IMAGE_BYTES, image0.length);
        // pixel 0 of training image 0: R at 0, G at 1,024, B at 2,048
        assertEquals(59, image0[0] & 0xff);
        assertEquals(62, image0[1024] & 0xff);
        assertEquals(63, image0[2048] & 0xff);
    }

    @Test
    void everyImageIsByteForByteTheSourceRecord() throws Exception {
        Map<String, byte[][]> source = readArchiveIndependently(TestData.archive());
        Map<String, Integer> seen = new HashMap<>(Map.of("train", 0, "test", 0));
        Iterator<Row> rows = CifarParquet.read(spark, all.output(), null, null).toLocalIterator();
        while (rows.hasNext()) {
            Row r = rows.next();
            String split = r.getString(1);
            int id = (int) r.getLong(0);
            byte[] record = source.get(split)[id];
            assertEquals(record[0] & 0xff, r.getInt(2), split + " " + id);
            assertEquals(CifarClasses.name(r.getInt(2)), r.getString(3));
            assertArrayEquals(Arrays.copyOfRange(record, 1, record.length), (byte[]) r.get(4), split + " " + id);
            source.get(split)[id] = null; // each id exactly once
            seen.merge(split, 1, Integer::sum);
        }
        assertEquals(50_000, seen.get("train"));
        assertEquals(10_000, seen.get("test"));
    }

    @Test
    void frogClassIsExactlyTheFrogFiles(@TempDir Path dir) throws Exception {
        PrepJob.Summary frogs = PrepJob.run(spark, options(TestData.archive(), dir.resolve("frogs"), "frog"));
        assertEquals(Map.of("train", Map.of("frog", 5_000L), "test", Map.of("frog", 1_000L)), frogs.rows());
        assertEquals(60_000, frogs.imagesRead(), "every record is read to find the frogs");
        assertEquals(6_000, frogs.totalRows());
        for (String split : CifarParquet.SPLITS) {
            byte[] expected = Files.readAllBytes(TestData.frogs(split));
            List<Row> rows = CifarParquet.read(spark, frogs.output(), split, "frog").orderBy("id").collectAsList();
            assertEquals(expected.length / CifarFormat.RECORD_BYTES, rows.size());
            for (int i = 0; i < rows.size(); i++) {
                int off = i * CifarFormat.RECORD_BYTES;
                assertEquals(6, expected[off]);
                assertEquals(6, rows.get(i).getInt(2));
                assertArrayEquals(Arrays.copyOfRange(expected, off + 1, off + CifarFormat.RECORD_BYTES),
                        (byte[]) rows.get(i).get(4), split + " frog " + i);
            }
        }
    }

    @Test
    void selectedPartitionIsPrunedByFolder() {
        Dataset<Row> frogs = CifarParquet.read(spark, all.output(), "test", "frog");
        String plan = frogs.queryExecution().executedPlan().toString();
        String partitionFilters = plan.substring(plan.indexOf("PartitionFilters: ["));
        partitionFilters = partitionFilters.substring(0, partitionFilters.indexOf(']'));
        assertTrue(partitionFilters.contains("split") && partitionFilters.contains("label_name"), plan);
        assertEquals(1_000, frogs.count());
    }

    /** Reads the archive with Apache Commons Compress, not with the product's reader: [split][id] → record. */
    static Map<String, byte[][]> readArchiveIndependently(Path archive) throws Exception {
        Map<String, byte[][]> out = new HashMap<>();
        out.put("train", new byte[50_000][]);
        out.put("test", new byte[10_000][]);
        try (InputStream gz = new GZIPInputStream(Files.newInputStream(archive));
             TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            for (TarArchiveEntry e; (e = tar.getNextTarEntry()) != null; ) {
                String name = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                String split;
                int offset;
                if (name.startsWith("data_batch_")) {
                    split = "train";
                    offset = (name.charAt("data_batch_".length()) - '1') * 10_000;
                } else if (name.equals("test_batch.bin")) {
                    split = "test";
                    offset = 0;
                } else {
                    continue;
                }
                byte[] all = tar.readAllBytes();
                for (int i = 0; i < all.length / CifarFormat.RECORD_BYTES; i++) {
                    out.get(split)[offset + i] = Arrays.copyOfRange(all, i * CifarFormat.RECORD_BYTES,
                            (i + 1) * CifarFormat.RECORD_BYTES);
                }
            }
        }
        return out;
    }
}
