package org.sparkgan.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparkgan.BadInputException;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarFormat;
import org.sparkgan.data.ImagePrepJob;
import org.sparkgan.data.ImagePrepOptions;
import org.sparkgan.io.PathKinds;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.TreeSet;

/**
 * {@code prep}: CIFAR-10 in its official binary layout, a folder tree of images, or a Parquet table of encoded images
 * → a Parquet data set.
 */
final class PrepCommand implements Command {
    static final List<Option> OPTIONS = List.of(
            Option.value("input", "URI", null, "CIFAR-10 in the official binary layout: cifar-10-binary.tar.gz as\n"
                    + "downloaded, the extracted cifar-10-batches-bin/ folder, or one .bin record file;\n"
                    + "or a folder of PNG/JPEG/BMP/GIF images, one sub-folder per class (class = the\n"
                    + "first sub-folder's name); or a Parquet table of encoded images (binaryFile's\n"
                    + "path + content) or of Spark's image-source rows. Any Hadoop URI (local path,\n"
                    + "file://, hdfs://). Required."),
            Option.value("output", "URI", null, "where the Parquet data set goes (local path, file://, hdfs://).\n"
                    + "Written beside it under a hidden name and renamed at the end. Required."),
            Option.value("classes", "LIST", "all", "classes to keep, comma-separated, by name or number:\n"
                    + classList()),
            Option.value("splits", "LIST", "train,test", "which splits to keep: train, test or both; records of\n"
                    + "the other split are skipped (a filter, unlike --split)"),
            Option.value("split", "SPLIT", "train", "the split given to record files without an official name\n"
                    + "(data_batch_N.bin is always train, test_batch.bin always test);\n"
                    + "a label, not a filter (that is --splits)"),
            Option.value("size", "N", "32", "images: every image becomes N x N (its centred square, resized by\n"
                    + "area averaging); supported: 32 and 64. CIFAR-10 records are 32"),
            Option.value("class", "NAME", null, "images: the class of every image (a flat folder, or a table\n"
                    + "without labels); default: the first sub-folder's name (a table: the file's folder)"),
            Option.value("image-column", "NAME", "content, else image", "a table's column of encoded bytes, or of\n"
                    + "Spark's image struct (BGR, converted to RGB)"),
            Option.value("label-column", "NAME", null, "a table's column holding each row's class name"),
            Option.flag("strict", "images: an unreadable or truncated image fails the job (default: skipped,\n"
                    + "counted, and the first few named in the summary)"),
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
        return "turn CIFAR-10 (archive, folder or .bin files) or folders and tables of images into a Parquet data set";
    }

    @Override
    public String description() {
        return """
                Reads CIFAR-10 records and writes one Parquet row per image:
                  id BIGINT (0-49,999 train, 0-9,999 test; other files: the record index), split STRING,
                  label INT (0-9), label_name STRING, image BINARY (the 3,072 record bytes: 1,024 R, G, B, row-major),
                  resolution INT (32).
                Folders are split=<split>/label_name=<class>/, so one class of one split reads alone.
                Images (a folder tree or a Parquet table) give the same columns: image holds side x side R, then G,
                then B bytes (grey, palette and alpha images become RGB), resolution the side (--size); ids are the
                positions of the sorted paths; every image gets the split --split; labels are CIFAR-10's when all class
                names are CIFAR-10 classes, else the sorted class names numbered 0, 1, 2, ... An unreadable image is
                skipped and counted (--strict: fails the job); a folder without images, an image column that is not
                binary or an image struct, or an unsupported --size is a one-line error.
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
        int size = parseSize(args.string("size"));
        String input = args.required("input");
        String imageColumn = args.given("image-column") ? args.string("image-column") : null;
        boolean images = takesImages(input);
        PrepOptions records = null;
        ImagePrepOptions pictures = null;
        if (images) {
            pictures = new ImagePrepOptions(input, args.required("output"), size, args.string("class"), imageColumn,
                    args.string("label-column"), args.string("split"), args.flag("strict"), args.flag("overwrite"));
        } else {
            if (size != CifarFormat.SIDE) {
                throw new BadInputException("--size " + size + ": CIFAR-10 records are " + CifarFormat.SIDE + "x"
                        + CifarFormat.SIDE + " (--size resizes folders and tables of images)");
            }
            records = new PrepOptions(input, args.required("output"), CifarClasses.parseList(args.string("classes")),
                    args.list("splits"), args.string("split"), args.flag("overwrite"));
        }
        SparkSession spark = SparkSessions.start("sparkgan prep", args.string("master"));
        try {
            print(images ? ImagePrepJob.run(spark, pictures) : PrepJob.run(spark, records), System.out);
        } finally {
            spark.stop();
        }
    }

    private static int parseSize(String text) {
        int size;
        try {
            size = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("--size must be a whole number, got '" + text + "'");
        }
        ImagePrepOptions.checkSize(size);
        return size;
    }

    /**
     * Whether the input is images (a folder that holds no CIFAR-10 records, or a Parquet table) rather than CIFAR-10
     * records; the CIFAR-10 reader keeps its own one-line refusals for everything else (run folders, empty folders).
     */
    private static boolean takesImages(String input) throws IOException {
        Path path = new Path(input);
        PathKinds.Kind kind = PathKinds.of(path.getFileSystem(new Configuration()), path);
        return kind == PathKinds.Kind.OTHER_FOLDER || kind == PathKinds.Kind.PARQUET;
    }

    static void print(PrepJob.Summary s, PrintStream out) {
        List<String> splits = CifarParquet.SPLITS.stream().filter(s.rows()::containsKey).toList();
        out.printf("prep: wrote %,d images to %s (%dx%d)%n", s.totalRows(), s.output(), s.resolution(), s.resolution());
        TreeSet<String> classNames = new TreeSet<>();
        s.rows().values().forEach(m -> classNames.addAll(m.keySet()));
        int width = Math.max(12, classNames.stream().mapToInt(String::length).max().orElse(0) + 2);
        StringBuilder header = new StringBuilder(String.format("  %-" + width + "s", "class"));
        for (String split : splits) header.append(String.format("%10s", split));
        out.println(header);
        Map<String, Long> totals = new LinkedHashMap<>();
        for (String name : classNames) {
            StringBuilder line = new StringBuilder(String.format("  %-" + width + "s", name));
            for (String split : splits) {
                long n = s.rows().get(split).getOrDefault(name, 0L);
                totals.merge(split, n, Long::sum);
                line.append(String.format("%,10d", n));
            }
            out.println(line);
        }
        StringBuilder total = new StringBuilder(String.format("  %-" + width + "s", "total"));
        for (Map.Entry<String, Long> e : totals.entrySet()) total.append(String.format("%,10d", e.getValue()));
        out.println(total);
        // read and written differ when --classes or --splits select: the rate is of the reading, which is the work
        out.printf("  %d Parquet files, %,d bytes, %.1f s: %,d images read (%,.0f/s), %,d written%n",
                s.files(), s.bytes(), s.seconds(), s.imagesRead(), s.imagesRead() / s.seconds(), s.totalRows());
        if (s.skipped() > 0) {
            out.printf("  %,d unreadable images skipped (--strict fails instead), first: %s%n", s.skipped(),
                    String.join(", ", s.firstSkipped()));
        }
    }
}
