package org.sparkgan.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.sparkgan.train.spark.KryoRegistration;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts Spark for a command. Under spark-submit the master and settings come from it; run directly (the embedded
 * default) Spark runs in local mode on every core, bound to the loopback address.
 */
final class SparkSessions {
    static final String DEFAULT_MASTER = "local[*]";

    private SparkSessions() {}

    /** How many times a command asked for Spark in this JVM: cheap checks must fail before the first. */
    private static final AtomicInteger STARTS = new AtomicInteger();

    static int starts() {
        return STARTS.get();
    }

    static SparkSession start(String appName, String master) {
        return start(appName, master, false);
    }

    /** True when spark-submit launched this JVM (it passes the master as a system property). */
    static boolean underSparkSubmit() {
        return System.getProperty("spark.master") != null;
    }

    /** True in the driver YARN runs in its ApplicationMaster (cluster deploy mode), which sets these properties. */
    static boolean inYarnApplicationMaster() {
        return System.getProperty("spark.yarn.app.id") != null
                && "cluster".equals(System.getProperty("spark.submit.deployMode"));
    }

    /** Spark in local mode for reading data into this JVM: no UI and no line about it. */
    static SparkSession startForReading(String appName) {
        SparkConf conf = new SparkConf().setIfMissing("spark.ui.enabled", "false");
        return start(appName, null, conf);
    }

    /**
     * @param training configure what distributed training needs: Kryo with {@link KryoRegistration} (ND4J's
     *                 registrator and the records that travel), which must be set before the context starts
     */
    static SparkSession start(String appName, String master, boolean training) {
        SparkConf conf = new SparkConf();
        if (training) {
            conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
            conf.setIfMissing("spark.kryo.registrator", KryoRegistration.class.getName());
            conf.setIfMissing("spark.kryoserializer.buffer.max", "1024m");
        }
        return start(appName, master, conf);
    }

    private static SparkSession start(String appName, String master, SparkConf conf) {
        STARTS.incrementAndGet();
        if (master != null && !master.isBlank()) conf.setMaster(master);
        if (!conf.contains("spark.master")) conf.setMaster(DEFAULT_MASTER);
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        }
        SparkSession spark = SparkSession.builder().appName(appName).config(conf).getOrCreate();
        spark.sparkContext().uiWebUrl().foreach(url -> {
            System.err.println("Spark " + spark.version() + " (" + spark.sparkContext().master() + "), UI at " + url);
            return null;
        });
        return spark;
    }
}
