package org.sparkgan.cli;

import org.apache.spark.sql.SparkSession;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;

/** {@code prep}: CIFAR-10 in its official binary layout → a Parquet data set. */
final class PrepCommand implements Command {
    static final List<Option> OPTIONS = List.of(
            Option.value("input", "URI", null, "CIFAR-10 in the official binary layout: cifar-10-binary.tar.gz as\n"
                    + "downloaded, the extracted cifar-10-batches-bin/ folder, or one .bin record file;\n"
                    + "any Hadoop URI (local path, file://, hdfs://). Required."),
            Option.value("output", "URI", null, "where the Parquet data set goes (local path, file://, hdfs://).\n"
                    + "Written beside it under a hidden name and renamed at the end. Required."),
            Option.value("classes", "LIST", "all", "classes to keep, comma-separated, by name or number:\n"
                    + classList()),
            Option.value("splits", "LIST", "train,test", "which splits to keep: train, test or both; records of\n"
                    + "the other split are skipped (a filter, unlike --split)"),
            Option.value("split", "SPLIT", "train", "the split given to record files without an official name\n"
                    + "(data_batch_N.bin is always train, test_batch.bin always test);\n"
                    + "a label, not a filter (that is --splits)"),
            Option.flag("overwrite", "replace an existing output (only once the new one is complete)"),
            Option.value("master", "URL", null, "Spark master; default: the one spark-submit gives, else "
                    + SparkSessions.DEFAULT_MASTER));

    @Override
    public String name() {
        return "prep";
    }

    /** "airplane (0), automobile (1), ...", a few per line. */
    private static String classList() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < CifarClasses.NAMES.size(); i++) {
            sb.append(CifarClasses.name(i)).append(" (").append(i).append(")");
            if (i < CifarClasses.NAMES.size() - 1) sb.append(i % 5 == 4 ? ",\n" : ", ");
        }
        return sb.append(", or all").toString();
    }

    @Override
    public String summary() {
        return "turn CIFAR-10 (official binary archive, folder or .bin files) into a Parquet data set";
    }

    @Override
    public String description() {
        return """
                Reads CIFAR-10 records and writes one Parquet row per image:
                  id BIGINT (0-49,999 train, 0-9,999 test; other files: the record index), split STRING,
                  label INT (0-9), label_name STRING, image BINARY (the 3,072 record bytes: 1,024 R, G, B, row-major).
                Folders are split=<split>/label_name=<class>/, so one class of one split reads alone.
                A bad input (wrong file size, label byte over 9, archive without cifar-10-batches-bin/, missing path,
                a Parquet data set, run or checkpoint folder or empty folder as --input, unknown class, existing output
                without --overwrite) stops with a one-line error and leaves the output path exactly as it was.
                The summary gives the records read (all of the selected splits' files: a record's class is known only
                once read) and their rate, apart from the images written.""";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public void run(ParsedArgs args) throws Exception {
        List<String> splits = args.list("splits");
        PrepOptions options = new PrepOptions(args.required("input"), args.required("output"),
                CifarClasses.parseList(args.string("classes")), splits, args.string("split"), args.flag("overwrite"));
        SparkSession spark = SparkSessions.start("sparkgan prep", args.string("master"));
        try {
            print(PrepJob.run(spark, options), System.out);
        } finally {
            spark.stop();
        }
    }

    static void print(PrepJob.Summary s, PrintStream out) {
        List<String> splits = CifarParquet.SPLITS.stream().filter(s.rows()::containsKey).toList();
        out.printf("prep: wrote %,d images to %s%n", s.totalRows(), s.output());
        StringBuilder header = new StringBuilder(String.format("  %-12s", "class"));
        for (String split : splits) header.append(String.format("%10s", split));
        out.println(header);
        Map<String, Long> totals = new LinkedHashMap<>();
        for (String name : CifarClasses.NAMES) {
            if (splits.stream().noneMatch(sp -> s.rows().get(sp).containsKey(name))) continue;
            StringBuilder line = new StringBuilder(String.format("  %-12s", name));
            for (String split : splits) {
                long n = s.rows().get(split).getOrDefault(name, 0L);
                totals.merge(split, n, Long::sum);
                line.append(String.format("%,10d", n));
            }
            out.println(line);
        }
        StringBuilder total = new StringBuilder(String.format("  %-12s", "total"));
        for (Map.Entry<String, Long> e : totals.entrySet()) total.append(String.format("%,10d", e.getValue()));
        out.println(total);
        // read and written differ when --classes or --splits select: the rate is of the reading, which is the work
        out.printf("  %d Parquet files, %,d bytes, %.1f s: %,d images read (%,.0f/s), %,d written%n",
                s.files(), s.bytes(), s.seconds(), s.imagesRead(), s.imagesRead() / s.seconds(), s.totalRows());
    }
}
