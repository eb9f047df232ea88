package org.sparkgan.testing;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

import java.nio.file.Path;

/** A real HDFS for tests: an in-process MiniDFSCluster on 127.0.0.1, its storage under {@code base}. */
public final class MiniHdfs implements AutoCloseable {
    private final MiniDFSCluster cluster;

    private MiniHdfs(MiniDFSCluster cluster) {
        this.cluster = cluster;
    }

    /** One DataNode. */
    public static MiniHdfs start(Path base) throws Exception {
        return start(base, 1);
    }

    public static MiniHdfs start(Path base, int dataNodes) throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(dataNodes).build();
        cluster.waitActive();
        return new MiniHdfs(cluster);
    }

    /** hdfs://127.0.0.1:PORT, with no trailing slash. */
    public String uri() {
        return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }

    /** The cluster itself, for tests that restart or stop its nodes. */
    public MiniDFSCluster cluster() {
        return cluster;
    }

    @Override
    public void close() {
        cluster.shutdown();
    }
}
