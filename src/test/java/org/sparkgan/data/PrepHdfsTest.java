package org.sparkgan.data;

import org.sparkgan.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.testing.MiniHdfs;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prep from HDFS to HDFS on a real (in-process) MiniDFSCluster, read back through Spark. */
class PrepHdfsTest {
    @TempDir
    static java.nio.file.Path base;
    static MiniHdfs hdfs;
    static String root;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = MiniHdfs.start(base);
        root = hdfs.uri();
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) hdfs.close();
    }

    @Test
    void prepReadsAndWritesHdfs() throws Exception {
        SparkSession spark = TestSpark.session();
        FileSystem fs = FileSystem.get(java.net.URI.create(root), new Configuration());
        fs.copyFromLocalFile(new Path(TestData.frogs("test").toString()), new Path(root + "/in/test_batch.bin"));
        // an official name: split test, ids from 0
        String output = root + "/lake/cifar10";
        PrepJob.Summary s = PrepJob.run(spark, new PrepOptions(root + "/in/test_batch.bin", output,
                CifarClasses.parseList("all"), CifarParquet.SPLITS, "train", false));
        assertEquals(1_000, s.totalRows());
        assertTrue(fs.exists(new Path(output + "/split=test/label_name=frog")));
        assertFalse(Arrays.stream(fs.listStatus(new Path(root + "/lake")))
                .anyMatch(f -> f.getPath().getName().startsWith(".")), "staging folder left on HDFS");

        byte[] expected = Files.readAllBytes(TestData.frogs("test"));
        List<Row> rows = CifarParquet.read(spark, output, "test", "frog").orderBy("id").collectAsList();
        assertEquals(1_000, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            int off = i * CifarFormat.RECORD_BYTES;
            assertEquals(i, rows.get(i).getLong(0));
            assertArrayEquals(Arrays.copyOfRange(expected, off + 1, off + CifarFormat.RECORD_BYTES), (byte[]) rows.get(i).get(4));
        }

        String msg = BadInputException.find(org.junit.jupiter.api.Assertions.assertThrows(Throwable.class,
                () -> PrepJob.run(spark, new PrepOptions(root + "/in/test_batch.bin", output,
                        CifarClasses.parseList("all"), CifarParquet.SPLITS, "train", false)))).getMessage();
        assertTrue(msg.contains("already exists"), msg);
    }
}
