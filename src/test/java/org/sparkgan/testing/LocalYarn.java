package org.sparkgan.testing;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A real YARN and HDFS on 127.0.0.1: a ResourceManager and one NodeManager (MiniYARNCluster) beside a
 * {@link MiniHdfs}, with the NodeManager's physical-memory enforcement on, so a container whose resident memory passes
 * its size is killed as on a production cluster. It writes a Hadoop configuration folder (core-site, hdfs-site,
 * yarn-site) that spark-submit reads through HADOOP_CONF_DIR. Used by the YARN tests in-process and, through
 * {@link #main}, by submit-scripts/local-yarn.sh.
 */
public final class LocalYarn implements AutoCloseable {
    /** NodeManager memory offered to containers: the seed preset's driver and two executors fit, with room. */
    public static final int DEFAULT_NODE_MEMORY_MB = 16384;

    private final MiniHdfs hdfs;
    private final MiniYARNCluster yarn;
    private final Path confDir;

    private LocalYarn(MiniHdfs hdfs, MiniYARNCluster yarn, Path confDir) {
        this.hdfs = hdfs;
        this.yarn = yarn;
        this.confDir = confDir;
    }

    /**
     * Starts HDFS and YARN with their storage and the configuration folder under {@code base}.
     *
     * @param name the MiniYARNCluster's name: its work folder is target/NAME under the current folder (its choice)
     */
    public static LocalYarn start(Path base, String name, int nodeMemoryMb) throws Exception {
        MiniHdfs hdfs = MiniHdfs.start(Files.createDirectories(base.resolve("hdfs")));
        YarnConfiguration conf = new YarnConfiguration();
        conf.set("fs.defaultFS", hdfs.uri());
        conf.set(YarnConfiguration.RM_HOSTNAME, "127.0.0.1");
        conf.set(YarnConfiguration.NM_ADDRESS, "127.0.0.1:0");
        conf.set(YarnConfiguration.NM_LOCALIZER_ADDRESS, "127.0.0.1:0");
        conf.set(YarnConfiguration.NM_WEBAPP_ADDRESS, "127.0.0.1:0");
        // a full disk must not mark the only node unhealthy (then nothing would ever be scheduled)
        conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0");
        // the capacity scheduler's queue file is not in hadoop-client-minicluster: one queue, set by hand
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
        conf.set("yarn.scheduler.capacity.root.default.maximum-capacity", "100");
        conf.set("yarn.scheduler.capacity.root.default.user-limit-factor", "1");
        conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
        conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
        conf.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
        conf.set("yarn.scheduler.capacity.node-locality-delay", "-1");
        // the default 10% of one node's memory is less than one ApplicationMaster: it would never start, and a second
        // application would wait for the first
        conf.set("yarn.scheduler.capacity.maximum-am-resource-percent", "0.8");
        conf.set("yarn.scheduler.capacity.root.default.maximum-am-resource-percent", "0.8");
        // enforcement: a container past its physical memory is killed (exit 137 / -104), as on a real cluster; the
        // virtual-memory check is off, as on most clusters (a JVM's reserved address space is no measure of use)
        conf.setBoolean(YarnConfiguration.YARN_MINICLUSTER_CONTROL_RESOURCE_MONITORING, true);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, true);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setInt(YarnConfiguration.YARN_MINICLUSTER_NM_PMEM_MB, nodeMemoryMb);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, nodeMemoryMb);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        // the ApplicationMaster attempts a driver gets (spark.yarn.maxAppAttempts may ask for fewer)
        conf.setInt(YarnConfiguration.RM_AM_MAX_ATTEMPTS, 4);
        // finished containers' logs stay readable in the NodeManager's log folders (no aggregation service here)
        conf.setInt(YarnConfiguration.DEBUG_NM_DELETE_DELAY_SEC, 3600);

        MiniYARNCluster yarn = new MiniYARNCluster(name, 1, 1, 1);
        try {
            yarn.init(conf);
            yarn.start();
            // start() can return before the ResourceManager has written its bound port into the configuration
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (yarn.getConfig().get(YarnConfiguration.RM_ADDRESS).endsWith(":0")) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("the ResourceManager did not bind");
                Thread.sleep(100);
            }
            serveResourceManagerWebApp(yarn);
        } catch (Exception | Error e) {
            yarn.stop();
            hdfs.close();
            throw e;
        }
        Path confDir = Files.createDirectories(base.resolve("hadoop-conf"));
        LocalYarn local = new LocalYarn(hdfs, yarn, confDir);
        local.writeConfiguration();
        return local;
    }

    /**
     * MiniYARNCluster runs the ResourceManager's and the NodeManager's web apps in one JVM, and Guice's servlet filter
     * keeps one request pipeline per JVM (a static field), the one of the web app started last: the NodeManager's then
     * answers on the ResourceManager's port too, and /ws/v1/cluster/... is a 404. This puts the ResourceManager's
     * pipeline back (its web UI and REST API are what users and tests read; the NodeManager's web pages go dark).
     */
    private static void serveResourceManagerWebApp(MiniYARNCluster yarn) throws ReflectiveOperationException {
        Method getWebapp = org.apache.hadoop.yarn.server.resourcemanager.ResourceManager.class.getDeclaredMethod("getWebapp");
        getWebapp.setAccessible(true);
        Object webApp = getWebapp.invoke(yarn.getResourceManager());
        Field guiceFilter = org.apache.hadoop.yarn.webapp.WebApp.class.getDeclaredField("guiceFilter");
        guiceFilter.setAccessible(true);
        Object filter = guiceFilter.get(webApp);
        Field injected = filter.getClass().getDeclaredField("injectedPipeline"), shared = filter.getClass().getDeclaredField("pipeline");
        injected.setAccessible(true);
        shared.setAccessible(true);
        shared.set(null, injected.get(filter));
    }

    /** core-site.xml names the HDFS; yarn-site.xml carries every setting of the running YARN (its bound ports). */
    private void writeConfiguration() throws IOException, java.net.URISyntaxException {
        Configuration core = new Configuration(false);
        core.set("fs.defaultFS", hdfs.uri());
        write(core, "core-site.xml");
        Configuration hdfsSite = new Configuration(false);
        hdfsSite.set("dfs.replication", "1");
        write(hdfsSite, "hdfs-site.xml");
        Configuration yarnSite = new Configuration(false);
        for (var e : yarn.getConfig()) {
            if (e.getKey().startsWith("yarn.")) yarnSite.set(e.getKey(), yarn.getConfig().get(e.getKey()));
        }
        // a cluster's Hadoop installation puts its YARN classes on every container's class path; Spark 3.5's
        // ApplicationMaster needs one of them, the web proxy's AmIpFilter, and the distributions leave it out
        yarnSite.set(YarnConfiguration.YARN_APPLICATION_CLASSPATH, Path.of(
                org.apache.hadoop.yarn.server.webproxy.amfilter.AmIpFilter.class.getProtectionDomain().getCodeSource()
                        .getLocation().toURI()).toString());
        write(yarnSite, "yarn-site.xml");
    }

    private void write(Configuration conf, String file) throws IOException {
        try (OutputStream out = Files.newOutputStream(confDir.resolve(file))) {
            conf.writeXml(out);
        }
    }

    /** The folder to export as HADOOP_CONF_DIR. */
    public Path hadoopConfDir() {
        return confDir;
    }

    /** hdfs://127.0.0.1:PORT */
    public String hdfsUri() {
        return hdfs.uri();
    }

    /** http://127.0.0.1:PORT: the ResourceManager's web UI and REST API (/ws/v1/cluster/...). */
    public String resourceManagerWebAddress() {
        return "http://" + yarn.getConfig().get(YarnConfiguration.RM_WEBAPP_ADDRESS);
    }

    /** The running YARN's configuration (its bound addresses). */
    public Configuration configuration() {
        return yarn.getConfig();
    }

    /** The NodeManager's container log folders: each container's stdout and stderr, under APP_ID/CONTAINER_ID/. */
    public String[] containerLogDirs() {
        return yarn.getNodeManager(0).getConfig().getTrimmedStrings(YarnConfiguration.NM_LOG_DIRS);
    }

    @Override
    public void close() {
        try {
            yarn.stop();
        } finally {
            hdfs.close();
        }
    }

    /**
     * For submit-scripts/local-yarn.sh: {@code LocalYarn BASE [NODE_MEMORY_MB]} starts the cluster, writes BASE/ready
     * (the lines it prints), and runs until the process is stopped.
     */
    public static void main(String[] args) throws Exception {
        Path base = Path.of(args[0]).toAbsolutePath();
        int memory = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_NODE_MEMORY_MB;
        LocalYarn local = start(base, "local-yarn-cluster", memory);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            local.close();
            stopped.countDown();
        }));
        String info = "ResourceManager web UI: " + local.resourceManagerWebAddress() + "\n"
                + "HDFS: " + local.hdfsUri() + "\n"
                + "NodeManager memory: " + memory + " MB, physical-memory check on\n"
                + "container logs: " + String.join(",", local.containerLogDirs()) + "\n"
                + "export HADOOP_CONF_DIR=" + local.hadoopConfDir() + "\n";
        Path ready = base.resolve("ready");
        Files.writeString(base.resolve("ready.tmp"), info);
        Files.move(base.resolve("ready.tmp"), ready, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.print(info);
        System.out.flush();
        stopped.await();
    }
}
