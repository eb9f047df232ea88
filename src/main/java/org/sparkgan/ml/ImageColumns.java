package org.sparkgan.ml;

import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkgan.BadInputException;
import org.sparkgan.data.CifarFormat;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.io.ImageGrid;

import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The two image columns the library reads and writes: prep's binary column (3·S² planar RGB bytes, as a CIFAR-10
 * record) and the struct of Spark's {@code image} data source (OpenCV order: rows of B, G, R[, A] pixels).
 */
final class ImageColumns {
    /** {@code imageFormat}: prep's binary column. */
    static final String BINARY = "binary";
    /** {@code imageFormat}: the struct of Spark's image data source. */
    static final String IMAGE_STRUCT = "image";
    static final List<String> FORMATS = List.of(BINARY, IMAGE_STRUCT);
    private static final int CV_8UC3 = 16;

    private ImageColumns() {}

    /** The image source's struct, whatever the nullability of its fields (a Parquet round trip relaxes it). */
    static boolean isImageStruct(DataType type) {
        if (!(type instanceof StructType struct)) return false;
        StructType expected = ImageSchema.columnSchema();
        return Arrays.equals(struct.fieldNames(), expected.fieldNames()) && Arrays.stream(expected.fieldNames())
                .allMatch(f -> struct.apply(f).dataType().equals(expected.apply(f).dataType()));
    }

    /** Refuses a column that is neither of the two kinds, in one line. */
    static void requireImageColumn(StructType schema, String column) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new BadInputException("no image column '" + column + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        DataType type = schema.apply(column).dataType();
        if (!type.equals(DataTypes.BinaryType) && !isImageStruct(type)) {
            throw new BadInputException("column '" + column + "' has type " + type.simpleString() + ": expected prep's "
                    + "binary image column or the struct of Spark's image data source");
        }
    }

    /**
     * The {@code id} and {@code image} rows of {@code df}, ids giving the order: prep's rows keep theirs (and, where the
     * split and class columns are there, are selected as train selects them); the image source's rows are numbered in
     * the order of their file names. A null {@code split} takes every split. Images that are not square are refused.
     */
    static Dataset<Row> idsAndImages(Dataset<?> df, String column, String split, String classes) {
        requireImageColumn(df.schema(), column);
        List<String> columns = Arrays.asList(df.columns());
        Dataset<Row> rows;
        if (isImageStruct(df.schema().apply(column).dataType())) {
            StructType schema = new StructType().add(CifarParquet.ID, DataTypes.LongType, false)
                    .add(CifarParquet.IMAGE, DataTypes.BinaryType, false);
            rows = df.sparkSession().createDataFrame(df.select(col(column)).orderBy(col(column + ".origin")).javaRDD()
                    .zipWithIndex().map(t -> RowFactory.create(t._2(), planar(t._1().getStruct(0)))), schema);
        } else {
            Dataset<Row> all = df.toDF();
            if (split != null && columns.contains(CifarParquet.SPLIT)) all = all.where(col(CifarParquet.SPLIT).equalTo(lit(split)));
            List<String> names = CifarParquet.classList(classes);
            if (columns.contains(CifarParquet.LABEL_NAME) && !names.isEmpty()) {
                all = all.where(col(CifarParquet.LABEL_NAME).isin(names.toArray()));
            }
            rows = (columns.contains(CifarParquet.ID) ? all.select(col(CifarParquet.ID), col(column))
                    : df.sparkSession().createDataFrame(all.select(col(column)).javaRDD().zipWithIndex()
                    .map(t -> RowFactory.create(t._2(), t._1().get(0))), new StructType()
                    .add(CifarParquet.ID, DataTypes.LongType, false).add(CifarParquet.IMAGE, DataTypes.BinaryType)))
                    .toDF(CifarParquet.ID, CifarParquet.IMAGE);
        }
        if (rows.isEmpty()) throw new BadInputException("no images (split " + split + ", class " + classes + ")");
        return rows;
    }

    /** The first {@code n} images of {@code df} in id order (fewer when there are fewer). */
    static List<byte[]> first(Dataset<?> df, String column, int n, String split, String classes) {
        return CifarParquet.inIdOrder(idsAndImages(df, column, split, classes), n);
    }

    /** The side of the images: one size for all of them, else a one-line error. */
    static int side(Dataset<Row> idsAndImages) {
        List<Integer> lengths = idsAndImages.select(org.apache.spark.sql.functions.length(col(CifarParquet.IMAGE)))
                .distinct().collectAsList().stream().map(r -> r.getInt(0)).sorted().toList();
        if (lengths.size() != 1) throw new BadInputException("the images have several sizes (" + lengths + " bytes)");
        return ImageTensors.side(lengths.get(0));
    }

    /** An image source struct as planar RGB bytes (grey repeated in each channel, alpha dropped). */
    static byte[] planar(Row image) {
        int height = image.getInt(image.fieldIndex("height")), width = image.getInt(image.fieldIndex("width"));
        int channels = image.getInt(image.fieldIndex("nChannels"));
        byte[] data = (byte[]) image.get(image.fieldIndex("data"));
        String origin = image.getString(image.fieldIndex("origin"));
        if (height != width) throw new BadInputException(origin + ": " + width + "x" + height + " is not square");
        int plane = height * width;
        byte[] out = new byte[CifarFormat.CHANNELS * plane];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < CifarFormat.CHANNELS; c++) {
                out[c * plane + p] = channels == 1 ? data[p] : data[p * channels + 2 - c]; // B, G, R order
            }
        }
        return out;
    }

    /** Image {@code index} of G's output (NCHW in [-1, 1]) as planar RGB bytes. */
    static byte[] bytes(float[] values, int index, int side) {
        int size = CifarFormat.CHANNELS * side * side;
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) out[i] = (byte) ImageGrid.toByte(values[index * size + i]);
        return out;
    }

    /** Planar RGB bytes as the image source's struct (no origin: it comes from no file). */
    static Row struct(byte[] planar, int side) {
        int plane = side * side;
        byte[] data = new byte[planar.length];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < CifarFormat.CHANNELS; c++) data[p * 3 + 2 - c] = planar[c * plane + p];
        }
        return RowFactory.create("", side, side, CifarFormat.CHANNELS, CV_8UC3, data);
    }

    static DataType type(String format) {
        return format.equals(IMAGE_STRUCT) ? ImageSchema.columnSchema() : DataTypes.BinaryType;
    }
}
