package org.sparkgan.testing;

import org.apache.spark.sql.SparkSession;

/** One local[2] Spark session shared by the tests of a JVM, bound to the loopback address, stopped at JVM exit. */
public final class TestSpark {
    private static SparkSession session;

    private TestSpark() {}

    /** The shared session, started again if a command under test stopped it (commands own their session). */
    public static synchronized SparkSession session() {
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("sparkgan-tests")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .getOrCreate();
            SparkSession started = session;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
        }
        return session;
    }
}
