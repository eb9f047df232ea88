package org.sparkgan.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkgan.BadInputException;
import org.sparkgan.io.StagedOutput;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lower;

/**
 * The {@code prep} job for encoded images: a folder tree of PNG, JPEG, BMP or GIF files (read with Spark's
 * {@code binaryFile} source from any Hadoop URI), or a Parquet table holding encoded bytes (such as a saved
 * {@code binaryFile} listing) or rows of Spark's {@code image} source, → the data set of {@link CifarParquet}.
 * Images are decoded on the executors; only paths and class names come to the driver.
 *
 * <p>Ids are the positions of the images' paths in sorted order (a table's {@code path} column or the image
 * struct's {@code origin}), so the same files give the same ids however Spark splits them; an image skipped as
 * unreadable keeps its id unused. Labels: when every class name is a CIFAR-10 class, its CIFAR-10 label (a folder
 * of frogs gets 6, as the archive's frogs); otherwise the sorted class names (Unicode order) get 0, 1, 2, ….
 */
public final class ImagePrepJob {
    /** Files the folder reader takes, by extension (any case); other files are ignored. */
    static final String IMAGE_FILE_PATTERN = "\\.(png|jpe?g|bmp|gif)$";
    private static final String KEY = "_key", PAYLOAD = "_payload", LABEL_VALUE = "_label_value";
    /** Spark's {@code image} source struct (ImageSchema.columnSchema): OpenCV modes CV_8UC1, CV_8UC3, CV_8UC4. */
    private static final List<String> IMAGE_STRUCT_FIELDS = List.of("origin", "height", "width", "nChannels", "mode", "data");
    private static final List<Integer> EIGHT_BIT_MODES = List.of(0, 16, 24);

    private ImagePrepJob() {}

    /** Where the images come from: key (path) and payload columns, and how a row's class is found. */
    private record Source(Dataset<Row> rows, boolean struct, boolean labelPerRow, String root) {}

    public static PrepJob.Summary run(SparkSession spark, ImagePrepOptions options) throws IOException {
        long start = System.nanoTime();
        Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
        Path outputPath = new Path(options.output());
        FileSystem outFs = outputPath.getFileSystem(hadoopConf);
        StagedOutput output = StagedOutput.begin(outFs, outputPath, options.overwrite());

        Path inputPath = new Path(options.input());
        FileSystem inFs = inputPath.getFileSystem(hadoopConf);
        if (!inFs.exists(inputPath)) throw new BadInputException(options.input() + ": no such file or directory");
        boolean table = org.sparkgan.io.PathKinds.of(inFs, inputPath) == org.sparkgan.io.PathKinds.Kind.PARQUET;
        Source source = table ? table(spark, options) : folder(spark, inFs, inputPath, options);

        List<Row> keys = source.rows().select(source.labelPerRow() ? new Column[]{col(KEY), col(LABEL_VALUE)}
                : new Column[]{col(KEY)}).collectAsList();
        if (keys.isEmpty()) {
            throw new BadInputException(options.input() + (table ? ": the table has no rows"
                    : ": no images (.png, .jpg, .jpeg, .bmp, .gif) in this folder or below"));
        }
        List<Row> sorted = new ArrayList<>(keys);
        sorted.sort(Comparator.comparing(r -> r.isNullAt(0) ? "" : r.getString(0)));
        List<String> classes = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            String key = sorted.get(i).isNullAt(0) ? null : sorted.get(i).getString(0);
            if (key == null) throw new BadInputException(options.input() + ": a row has no path (null)");
            if (i > 0 && key.equals(sorted.get(i - 1).getString(0))) {
                throw new BadInputException(options.input() + ": path " + key + " appears twice: ids follow the "
                        + "sorted paths, which must be unique");
            }
            classes.add(className(sorted.get(i), source, options));
        }
        Map<String, Integer> labels = labels(classes);
        List<Row> index = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            index.add(RowFactory.create(sorted.get(i).getString(0), (long) i, labels.get(classes.get(i)), classes.get(i)));
        }
        Dataset<Row> ids = spark.createDataFrame(index, new StructType()
                .add(KEY, DataTypes.StringType).add(CifarParquet.ID, DataTypes.LongType)
                .add(CifarParquet.LABEL, DataTypes.IntegerType).add(CifarParquet.LABEL_NAME, DataTypes.StringType));

        SkippedImages skipped = new SkippedImages();
        spark.sparkContext().register(skipped, "skipped images");
        int size = options.size();
        boolean strict = options.strict(), struct = source.struct();
        String split = options.split();
        JavaRDD<Row> rows = source.rows().select(col(KEY), col(PAYLOAD)).join(broadcast(ids), KEY)
                .select(col(KEY), col(PAYLOAD), col(CifarParquet.ID), col(CifarParquet.LABEL), col(CifarParquet.LABEL_NAME))
                .javaRDD()
                .flatMap(r -> {
                    byte[] image;
                    try {
                        image = ImagePixels.squareAt(struct ? fromStruct(r.getStruct(1)) : ImagePixels.decode(
                                (byte[]) r.get(1)), size);
                    } catch (ImagePixels.UnreadableImageException e) {
                        if (strict) {
                            throw new BadInputException(r.getString(0) + ": unreadable image (" + e.getMessage()
                                    + "); without --strict it is skipped and counted");
                        }
                        skipped.add(r.getString(0) + " (" + e.getMessage() + ")");
                        return Collections.emptyIterator();
                    }
                    return List.of(RowFactory.create(r.getLong(2), split, r.getInt(3), r.getString(4), image, size))
                            .iterator();
                });
        try {
            PrepJob.write(spark, rows, output);
            if (skipped.value().count() == sorted.size()) {
                throw new BadInputException(options.input() + ": none of the " + sorted.size() + " images could be "
                        + "read (first: " + skipped.value().first().get(0) + ")");
            }
            output.commit();
        } finally {
            output.abort();
        }
        long[] filesAndBytes = PrepJob.parquetFilesAndBytes(outFs, output.target());
        return new PrepJob.Summary(output.target().toString(), PrepJob.countRows(spark, output.target().toString()),
                filesAndBytes[0], filesAndBytes[1], sorted.size(),
                (System.nanoTime() - start) / 1e9, size, skipped.value().count(), skipped.value().first());
    }

    /** Every image file below the folder, with the first sub-folder as its class (or --class for all). */
    private static Source folder(SparkSession spark, FileSystem fs, Path dir, ImagePrepOptions options)
            throws IOException {
        if (!fs.getFileStatus(dir).isDirectory()) {
            throw new BadInputException(options.input() + ": not a folder of images, a Parquet table or CIFAR-10 "
                    + "records");
        }
        String root = fs.makeQualified(dir).toUri().getPath();
        Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .load(fs.makeQualified(dir).toString())
                .where(lower(col("path")).rlike(IMAGE_FILE_PATTERN))
                .select(col("path").as(KEY), col("content").as(PAYLOAD));
        return new Source(files, false, false, root.endsWith("/") ? root : root + "/");
    }

    /** A Parquet table: encoded bytes (binaryFile's {@code content}) or Spark's image struct (its {@code image}). */
    private static Source table(SparkSession spark, ImagePrepOptions options) {
        Dataset<Row> df;
        try {
            df = spark.read().parquet(options.input());
        } catch (Exception e) { // Scala's AnalysisException is not declared
            if (!(e instanceof AnalysisException)) throw e;
            throw new BadInputException(options.input() + ": not a readable Parquet table ("
                    + CifarParquet.firstLine(e.getMessage()) + ")", e);
        }
        List<String> columns = Arrays.asList(df.columns());
        if (columns.containsAll(List.of(CifarParquet.ID, CifarParquet.SPLIT, CifarParquet.LABEL_NAME))
                && columns.contains(CifarParquet.IMAGE) && df.schema().apply(CifarParquet.IMAGE).dataType()
                instanceof BinaryType) {
            throw new BadInputException(options.input() + ": already a data set written by prep (train reads it)");
        }
        String imageColumn = options.imageColumn() != null ? options.imageColumn()
                : columns.contains("content") ? "content" : CifarParquet.IMAGE;
        if (!columns.contains(imageColumn)) {
            throw new BadInputException(options.input() + ": no image column '" + imageColumn + "' (it has "
                    + String.join(", ", columns) + "; name it with --image-column)");
        }
        DataType type = df.schema().apply(imageColumn).dataType();
        boolean struct = type instanceof StructType s && Arrays.asList(s.fieldNames()).containsAll(IMAGE_STRUCT_FIELDS);
        if (!struct && !(type instanceof BinaryType)) {
            throw new BadInputException(options.input() + ": column '" + imageColumn + "' is " + type.simpleString()
                    + ", not binary (encoded image bytes) nor Spark's image struct");
        }
        Column key;
        if (struct) key = col(imageColumn + ".origin");
        else if (columns.contains("path")) key = col("path");
        else throw new BadInputException(options.input() + ": no 'path' column: ids follow the sorted paths, as "
                    + "binaryFile and the image source record them");
        String labelColumn = options.labelColumn();
        if (labelColumn != null && !columns.contains(labelColumn)) {
            throw new BadInputException(options.input() + ": no label column '" + labelColumn + "' (it has "
                    + String.join(", ", columns) + ")");
        }
        List<Column> selected = new ArrayList<>(List.of(key.as(KEY), col(imageColumn).as(PAYLOAD)));
        if (labelColumn != null) selected.add(col(labelColumn).cast(DataTypes.StringType).as(LABEL_VALUE));
        return new Source(df.select(selected.toArray(Column[]::new)), struct, labelColumn != null, null);
    }

    /** --class; else the row's label column; else the folder: the first sub-folder below the root, or the parent. */
    private static String className(Row key, Source source, ImagePrepOptions options) {
        if (options.className() != null) return options.className();
        String path = key.getString(0);
        if (source.labelPerRow()) {
            if (key.isNullAt(1) || key.getString(1).isBlank()) {
                throw new BadInputException(options.input() + ": " + path + " has no label in column '"
                        + options.labelColumn() + "'");
            }
            return key.getString(1);
        }
        String file = URI.create(path.replace(" ", "%20")).getPath();
        if (source.root() == null) {
            String parent = new Path(file).getParent().getName();
            if (parent.isEmpty()) throw new BadInputException(path + ": no folder to take the class from (give --class)");
            return parent;
        }
        String relative = file.startsWith(source.root()) ? file.substring(source.root().length()) : file;
        int slash = relative.indexOf('/');
        if (slash < 0) {
            throw new BadInputException(options.input() + ": " + relative + " lies directly in the folder: give "
                    + "--class NAME for a flat folder, or put the images in one sub-folder per class");
        }
        return relative.substring(0, slash);
    }

    /** CIFAR-10's labels when every class is a CIFAR-10 class, else the sorted names numbered from 0. */
    static Map<String, Integer> labels(List<String> classNames) {
        TreeSet<String> names = new TreeSet<>(classNames);
        Map<String, Integer> labels = new HashMap<>();
        boolean cifar = CifarClasses.NAMES.containsAll(names);
        int next = 0;
        for (String name : names) labels.put(name, cifar ? CifarClasses.NAMES.indexOf(name) : next++);
        return labels;
    }

    /** Planar RGB of a Spark image-source row; a row the source could not decode (no data) is unreadable. */
    private static ImagePixels.Planar fromStruct(Row image) throws ImagePixels.UnreadableImageException {
        int height = image.getInt(image.fieldIndex("height")), width = image.getInt(image.fieldIndex("width"));
        int channels = image.getInt(image.fieldIndex("nChannels")), mode = image.getInt(image.fieldIndex("mode"));
        byte[] data = (byte[]) image.get(image.fieldIndex("data"));
        if (height <= 0 || width <= 0 || data == null || data.length == 0) {
            throw new ImagePixels.UnreadableImageException("the image source could not decode it");
        }
        if (!EIGHT_BIT_MODES.contains(mode)) {
            throw new ImagePixels.UnreadableImageException("OpenCV mode " + mode + " (8-bit images only)");
        }
        try {
            return ImagePixels.fromInterleavedBgr(data, width, height, channels);
        } catch (IllegalArgumentException e) {
            throw new ImagePixels.UnreadableImageException(e.getMessage());
        }
    }
}
