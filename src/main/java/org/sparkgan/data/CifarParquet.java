package org.sparkgan.data;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkgan.BadInputException;
import org.sparkgan.Names;
import org.sparkgan.io.PathKinds;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;

/**
 * The Parquet data set written by {@code prep}: one row per image. The folders are Hive-style partitions
 * {@code split=<split>/label_name=<class>/}, so one class of one split is read without touching the others;
 * Spark, DuckDB, pyarrow and other Parquet readers restore the two folder columns from the path.
 */
public final class CifarParquet {
    public static final String ID = "id";
    public static final String SPLIT = "split";
    public static final String LABEL = "label";
    public static final String LABEL_NAME = "label_name";
    public static final String IMAGE = "image";
    /** The side of the square images in pixels (32 or 64); data sets written before the column existed are 32. */
    public static final String RESOLUTION = "resolution";
    public static final List<String> PARTITION_COLUMNS = List.of(SPLIT, LABEL_NAME);
    public static final List<String> SPLITS = List.of("train", "test");

    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField(ID, DataTypes.LongType, false),
            DataTypes.createStructField(SPLIT, DataTypes.StringType, false),
            DataTypes.createStructField(LABEL, DataTypes.IntegerType, false),
            DataTypes.createStructField(LABEL_NAME, DataTypes.StringType, false),
            DataTypes.createStructField(IMAGE, DataTypes.BinaryType, false),
            DataTypes.createStructField(RESOLUTION, DataTypes.IntegerType, false),
    });

    private CifarParquet() {}

    /**
     * Reads a data set in the canonical column order, checking the columns and their types (a path of another kind,
     * such as the CIFAR-10 archive or a run folder, is refused first, by {@link PathKinds#requireDataSet});
     * {@code split} and {@code labelName} (null for all) select partitions. A data set written before the
     * {@code resolution} column existed reads as 32×32.
     */
    public static Dataset<Row> read(SparkSession spark, String uri, String split, String labelName) {
        try {
            Path path = new Path(uri);
            PathKinds.requireDataSet(path.getFileSystem(spark.sparkContext().hadoopConfiguration()), path, uri);
        } catch (IOException e) {
            throw new UncheckedIOException(uri + ": " + e.getMessage(), e);
        }
        Dataset<Row> df;
        try {
            df = spark.read().parquet(uri);
        } catch (Exception e) { // Scala's AnalysisException (path missing, no Parquet files) is not declared
            if (!(e instanceof org.apache.spark.sql.AnalysisException)) throw e;
            throw new BadInputException(uri + ": not a readable Parquet data set (" + firstLine(e.getMessage()) + ")", e);
        }
        if (!Arrays.asList(df.columns()).contains(RESOLUTION)) df = df.withColumn(RESOLUTION, lit(CifarFormat.SIDE));
        for (StructField expected : SCHEMA.fields()) {
            if (!Arrays.asList(df.columns()).contains(expected.name())) {
                throw new BadInputException(uri + ": a Parquet table with no '" + expected.name() + "' column (it has "
                        + String.join(", ", df.columns()) + "; prep writes " + String.join(", ", SCHEMA.fieldNames())
                        + "): not a data set written by prep");
            }
            DataType actual = df.schema().apply(expected.name()).dataType();
            if (!actual.equals(expected.dataType())) {
                throw new BadInputException(uri + ": column '" + expected.name() + "' has type " + actual.simpleString()
                        + ", expected " + expected.dataType().simpleString());
            }
        }
        if (split != null) df = df.where(col(SPLIT).equalTo(lit(split)));
        if (labelName != null) df = df.where(col(LABEL_NAME).equalTo(lit(labelName)));
        return df.select(Arrays.stream(SCHEMA.fieldNames()).map(org.apache.spark.sql.functions::col)
                .toArray(org.apache.spark.sql.Column[]::new));
    }

    /** Fails with a one-line message if any selected image is not the 3·side² bytes its {@code resolution} says. */
    public static void checkImageSizes(Dataset<Row> df, String uri) {
        Row bad = df.where(col(IMAGE).isNull()
                        .or(length(col(IMAGE)).notEqual(col(RESOLUTION).multiply(col(RESOLUTION)).multiply(3))))
                .select(col(SPLIT), col(ID), length(col(IMAGE)), col(RESOLUTION)).limit(1).collectAsList().stream()
                .findFirst().orElse(null);
        if (bad != null) {
            int side = bad.getInt(3);
            throw new BadInputException(uri + ": image of " + bad.getString(0) + " id " + bad.getLong(1) + " has "
                    + (bad.isNullAt(2) ? "no" : bad.getInt(2)) + " bytes, expected " + 3 * side * side
                    + " (" + side + "x" + side + "x3)");
        }
    }

    /**
     * The side of the data set's images, for checking against the model's resolution: one value for the whole
     * data set (prep writes one size per job); a data set mixing sizes is a one-line error.
     */
    public static int resolution(SparkSession spark, String uri) {
        List<Integer> sides = read(spark, uri, null, null).select(col(RESOLUTION)).distinct().orderBy(col(RESOLUTION))
                .collectAsList().stream().map(r -> r.getInt(0)).toList();
        if (sides.isEmpty()) throw new BadInputException(uri + ": the data set has no images");
        if (sides.size() > 1) {
            throw new BadInputException(uri + ": the data set mixes image sizes " + sides + " (prep each size into "
                    + "its own data set)");
        }
        return sides.get(0);
    }

    /** The class names of a data set, sorted. */
    public static List<String> classNames(SparkSession spark, String uri) {
        return read(spark, uri, null, null).select(col(LABEL_NAME)).distinct().orderBy(col(LABEL_NAME))
                .collectAsList().stream().map(r -> r.getString(0)).toList();
    }

    /**
     * The classes of one split as their partition folders name them ({@code split=S/label_name=C}), read without
     * Spark: empty when the path is not laid out so (then Spark's read decides).
     */
    public static Optional<List<String>> classesOnDisk(FileSystem fs, Path root, String split) throws IOException {
        Path splitDir = new Path(root, SPLIT + "=" + split);
        if (!fs.isDirectory(splitDir)) return Optional.empty();
        String prefix = LABEL_NAME + "=";
        List<String> names = Arrays.stream(fs.listStatus(splitDir)).filter(FileStatus::isDirectory)
                .map(s -> s.getPath().getName()).filter(n -> n.startsWith(prefix))
                .map(n -> unescapePartitionValue(n.substring(prefix.length()))).sorted().toList();
        return names.isEmpty() ? Optional.empty() : Optional.of(names);
    }

    /** Hive-style partition folders escape characters such as '/' and '=' as %XX. */
    private static String unescapePartitionValue(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * The data set's own name for a class: the name as given, else the one name equal to it ignoring case, else
     * the CIFAR-10 class of that number; anything else is a one-line error naming the classes there are.
     */
    static String resolveClass(SparkSession spark, String uri, String className) {
        List<String> names = classNames(spark, uri);
        if (names.contains(className)) return className;
        List<String> ignoringCase = names.stream().filter(n -> n.equalsIgnoreCase(className.trim())).toList();
        if (ignoringCase.size() == 1) return ignoringCase.get(0);
        if (className.trim().matches("\\d+") && names.stream().allMatch(CifarClasses.NAMES::contains)) {
            return CifarClasses.name(CifarClasses.label(className));
        }
        if (CifarClasses.NAMES.contains(className.trim().toLowerCase(java.util.Locale.ROOT))) {
            return className.trim().toLowerCase(java.util.Locale.ROOT); // a CIFAR class absent here: "no images" below
        }
        throw new BadInputException(uri + ": no class '" + className + "' in the data set"
                + Names.nearest(className, names).map(n -> " (did you mean '" + n + "'?)").orElse("")
                + " (it has " + String.join(", ", names) + ")");
    }

    /** The {@code --class} value that selects every class of the data set. */
    public static final String ALL_CLASSES = "all";

    /**
     * The class names a {@code --class} value lists, comma-separated and trimmed (blanks and duplicates dropped,
     * order kept, as prep's {@code --classes}); empty for {@value #ALL_CLASSES}.
     */
    public static List<String> classList(String classes) {
        if (classes.trim().equalsIgnoreCase(ALL_CLASSES)) return List.of();
        List<String> names = Arrays.stream(classes.split(",")).map(String::trim).filter(n -> !n.isEmpty()).distinct()
                .toList();
        if (names.isEmpty()) {
            throw new BadInputException("--class '" + classes + "' names no class (give NAME[,NAME...] or "
                    + ALL_CLASSES + ")");
        }
        return names;
    }

    /**
     * The {@code id} and {@code image} columns of the listed classes ({@link #classList}: one, several
     * comma-separated, or {@value #ALL_CLASSES}) and one split, checked: an unknown class, an empty selection or a
     * wrong image size is a one-line error. The rows stay distributed; ids are unique across classes (each image's
     * position in its split), so sharding by id order works unchanged.
     */
    public static Dataset<Row> selectImages(SparkSession spark, String uri, String split, String classes) {
        List<String> names = classList(classes).stream().map(c -> resolveClass(spark, uri, c)).distinct().toList();
        Dataset<Row> df = read(spark, uri, split, null);
        if (!names.isEmpty()) df = df.where(col(LABEL_NAME).isin(names.toArray()));
        checkImageSizes(df, uri);
        if (df.isEmpty()) {
            String what = names.isEmpty() ? "images" : "images of class " + String.join(",", names);
            String ofSplit = split == null ? "" : split + " ", splitHint = split == null ? "" : " and --splits " + split;
            throw new BadInputException(uri + ": no " + ofSplit + what + " (prep with --classes "
                    + (names.isEmpty() ? "all" : String.join(",", names)) + splitHint + "?)");
        }
        return df.select(col(ID), col(IMAGE));
    }

    /** The images of the listed classes and one split on the driver, in id order; checked as {@link #selectImages}. */
    public static List<byte[]> collectImages(SparkSession spark, String uri, String split, String className) {
        return inIdOrder(selectImages(spark, uri, split, className));
    }

    /** The image bytes of {@code ID} and {@code IMAGE} rows on the driver, in id order. */
    public static List<byte[]> inIdOrder(Dataset<Row> idsAndImages) {
        return bytes(idsAndImages.orderBy(col(ID)).select(col(IMAGE)));
    }

    /** The first {@code n} of {@link #inIdOrder(Dataset)} (fewer where there are fewer). */
    public static List<byte[]> inIdOrder(Dataset<Row> idsAndImages, int n) {
        return bytes(idsAndImages.orderBy(col(ID)).select(col(IMAGE)).limit(n));
    }

    private static List<byte[]> bytes(Dataset<Row> images) {
        return images.collectAsList().stream().map(r -> (byte[]) r.get(0)).toList();
    }

    static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
