package org.sparkgan.data;

import org.sparkgan.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.sparkgan.io.StagedOutput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * The {@code prep} job: CIFAR-10 record files → the Parquet data set of {@link CifarParquet}.
 * One Spark task per record file (archive entries included), so executors read the input straight from storage.
 */
public final class PrepJob {
    private PrepJob() {}

    /**
     * What was written (rows per split and class, files, bytes, the images' side), the records or files read to find
     * them, the unreadable images skipped (their number and the first few paths), and the time.
     */
    public record Summary(String output, TreeMap<String, TreeMap<String, Long>> rows, long files, long bytes,
                          long imagesRead, double seconds, int resolution, long skipped, List<String> firstSkipped) {
        public Summary {
            firstSkipped = List.copyOf(firstSkipped);
        }

        /** A job that skips nothing and writes CIFAR's 32×32 images. */
        public Summary(String output, TreeMap<String, TreeMap<String, Long>> rows, long files, long bytes,
                       long imagesRead, double seconds) {
            this(output, rows, files, bytes, imagesRead, seconds, CifarFormat.SIDE, 0, List.of());
        }

        public long totalRows() {
            return rows.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
        }
    }

    public static Summary run(SparkSession spark, PrepOptions options) throws IOException {
        long start = System.nanoTime();
        Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
        Path outputPath = new Path(options.output());
        FileSystem outFs = outputPath.getFileSystem(hadoopConf);
        StagedOutput output = StagedOutput.begin(outFs, outputPath, options.overwrite());

        List<RecordFile> files = new ArrayList<>();
        for (RecordFile f : CifarSource.list(options.input(), options.defaultSplit(), hadoopConf)) {
            if (options.splits().contains(f.split())) files.add(f);
        }
        if (files.isEmpty()) {
            throw new BadInputException(options.input() + ": no record file belongs to the splits " + options.splits());
        }

        try {
            SerializableConfiguration conf = new SerializableConfiguration(hadoopConf);
            boolean[] keep = new boolean[CifarClasses.NAMES.size()];
            for (int c : options.classes()) keep[c] = true;
            JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(files, files.size())
                    .mapPartitions(it -> new RowIterator(it, conf.value(), keep));
            write(spark, rows, output);
            output.commit();
        } finally {
            output.abort();
        }
        // Counted from the committed data set, so the summary also proves it reads back.
        TreeMap<String, TreeMap<String, Long>> counts = countRows(spark, output.target().toString());
        long[] filesAndBytes = parquetFilesAndBytes(outFs, output.target());
        // every record of the selected files is read (the class is known only once read), whatever is kept
        long imagesRead = files.stream().mapToLong(RecordFile::records).sum();
        return new Summary(output.target().toString(), counts, filesAndBytes[0], filesAndBytes[1], imagesRead,
                (System.nanoTime() - start) / 1e9);
    }

    /** Writes rows of {@link CifarParquet#SCHEMA} into the staging folder, in the partitioned layout. */
    static void write(SparkSession spark, JavaRDD<Row> rows, StagedOutput output) {
        spark.createDataFrame(rows, CifarParquet.SCHEMA)
                .write()
                .mode(SaveMode.ErrorIfExists)
                .partitionBy(CifarParquet.PARTITION_COLUMNS.toArray(String[]::new))
                .parquet(output.staging().toString());
    }

    static TreeMap<String, TreeMap<String, Long>> countRows(SparkSession spark, String uri) {
        TreeMap<String, TreeMap<String, Long>> counts = new TreeMap<>();
        for (Row r : spark.read().parquet(uri).groupBy(CifarParquet.SPLIT, CifarParquet.LABEL_NAME).count()
                .collectAsList()) {
            counts.computeIfAbsent(r.getString(0), k -> new TreeMap<>()).put(r.getString(1), r.getLong(2));
        }
        return counts;
    }

    static long[] parquetFilesAndBytes(FileSystem fs, Path dir) throws IOException {
        long files = 0, bytes = 0;
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            if (f.getPath().getName().endsWith(".parquet")) {
                files++;
                bytes += f.getLen();
            }
        }
        return new long[]{files, bytes};
    }

    /** Streams the rows of a task's record files, skipping unselected classes; never holds a whole file. */
    private static final class RowIterator implements Iterator<Row> {
        private final Iterator<RecordFile> files;
        private final Configuration conf;
        private final boolean[] keep;
        private CifarSource.RecordReader reader;
        private RecordFile file;
        private Row next;

        RowIterator(Iterator<RecordFile> files, Configuration conf, boolean[] keep) {
            this.files = files;
            this.conf = conf;
            this.keep = keep;
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null) {
                    if (reader == null) {
                        if (!files.hasNext()) return false;
                        file = files.next();
                        reader = CifarSource.open(file, conf);
                    }
                    if (!reader.next()) {
                        reader.close();
                        reader = null;
                    } else if (keep[reader.label()]) {
                        next = RowFactory.create(reader.id(), file.split(), reader.label(),
                                CifarClasses.name(reader.label()), reader.image(), CifarFormat.SIDE);
                    }
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException(file.displayName() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            Row r = next;
            next = null;
            return r;
        }
    }
}
