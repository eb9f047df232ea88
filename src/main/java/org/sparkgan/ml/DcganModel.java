package org.sparkgan.ml;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.BadInputException;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.eval.GeneratorSamples;
import org.sparkgan.io.ImageGrid;
import org.sparkgan.io.RunFolder;
import org.sparkgan.model.Dcgan;
import org.sparkgan.train.Checkpoint;
import org.sparkgan.train.ComputeThreads;
import org.sparkgan.train.TrainConfig;
import scala.Option;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained generator as a Spark ML model: G (and its moving average G_ema, where the run kept one), the run's
 * configuration and provenance, and the step it was taken at; neither D nor the optimizer states. {@code transform}
 * maps a column of seeds (the latents of {@code generate --seed S --count 1}) or of latent vectors to an image column,
 * in prep's binary form or the struct of Spark's image data source; the images are made on the executors.
 */
public final class DcganModel extends Model<DcganModel> implements MLWritable {
    private static final String DATA = "data";
    private static final String MODEL_JSON = "model.json";
    private static final String GENERATOR = "generator.bin";
    private static final String GENERATOR_EMA = "generator-ema.bin";

    private final String uid;
    private final Trained trained;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> imageFormat;
    private final BooleanParam useEma;

    /**
     * What the model holds of a run: its configuration, G, G's moving average (null where the run kept none), the
     * provenance and the step they were taken at.
     */
    private record Trained(TrainConfig config, MultiLayerNetwork generator, MultiLayerNetwork generatorEma,
                           Map<String, Object> provenance, long step) {}

    private DcganModel(String uid, Trained trained) {
        this.uid = uid;
        this.trained = trained;
        inputCol = new Param<>(this, "inputCol", "a column of seeds (whole numbers: the latents of generate --seed "
                + "S --count 1) or of latent vectors (arrays or ML vectors of latent-dim numbers)");
        outputCol = new Param<>(this, "outputCol", "the image column transform adds");
        imageFormat = new Param<>(this, "imageFormat", "binary: prep's image column (3 x side x side planar RGB "
                + "bytes); image: the struct of Spark's image data source", v -> {
            if (!ImageColumns.FORMATS.contains((String) v)) {
                throw new BadInputException("imageFormat must be one of " + String.join(", ", ImageColumns.FORMATS)
                        + ", got '" + v + "'");
            }
            return true;
        });
        useEma = new BooleanParam(this, "useEma", "true: G's moving average (train --ema-kimg), where the run kept "
                + "one; false: G's own weights");
        setDefault(inputCol, "seed");
        setDefault(outputCol, CifarParquet.IMAGE);
        setDefault(imageFormat, ImageColumns.BINARY);
        setDefault(useEma, true);
    }

    /** The generator of any run's checkpoint (a folder under {@code checkpoints/}, any Hadoop URI). */
    public static DcganModel fromCheckpoint(String uri) throws IOException {
        SparkSession spark = SparkSession.getActiveSession().getOrElse(() -> null);
        return fromCheckpoint(uri, spark == null ? new Configuration() : spark.sparkContext().hadoopConfiguration());
    }

    /** The generator of a checkpoint, read with {@code hadoopConf}'s file system settings. */
    public static DcganModel fromCheckpoint(String uri, Configuration hadoopConf) throws IOException {
        Checkpoint c = Checkpoint.load(uri, hadoopConf);
        return new DcganModel(Identifiable$.MODULE$.randomUID("dcganModel"), new Trained(c.config(), c.generator(),
                c.state().generatorEma(), c.provenance(), c.step()));
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Param<?>[] params() {
        return new Param<?>[]{inputCol, outputCol, imageFormat, useEma};
    }

    public TrainConfig config() {
        return trained.config();
    }

    public Map<String, Object> provenance() {
        return trained.provenance();
    }

    /** The training step the generator was taken at. */
    public long step() {
        return trained.step();
    }

    /** What images come from: G_ema when asked for and kept, else G. */
    public MultiLayerNetwork sampler() {
        return (boolean) getOrDefault(useEma) && trained.generatorEma() != null ? trained.generatorEma()
                : trained.generator();
    }

    public DcganModel setInputCol(String column) { return (DcganModel) set(inputCol, column); }
    public DcganModel setOutputCol(String column) { return (DcganModel) set(outputCol, column); }
    /** binary (prep's column) or image (Spark's image data source). */
    public DcganModel setImageFormat(String format) { return (DcganModel) set(imageFormat, format); }
    public DcganModel setUseEma(boolean use) { return (DcganModel) set(useEma, use); }

    /**
     * The images of {@code generate --seed seed --count n} as G's output (NCHW, values in [-1, 1]): what eval scores
     * and {@link #generate} and {@link #gridPng} show.
     */
    public INDArray samples(int n, long seed) {
        if (n < 1) throw new BadInputException("generate needs at least 1 image, got " + n);
        return GeneratorSamples.generate(sampler(), GeneratorSamples.latents(seed, n, config().model().latentDim()));
    }

    /**
     * {@code n} images from the latents of {@code generate --seed seed --count n}, made in the driver as generate
     * and eval make them: an {@code id} column (0 to n-1) and the image column.
     */
    public Dataset<Row> generate(int n, long seed) {
        float[] values = samples(n, seed).dup('c').data().asFloat();
        int side = config().model().resolution();
        String format = getOrDefault(imageFormat);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) rows.add(RowFactory.create((long) i, image(values, i, side, format)));
        StructType schema = new StructType().add(CifarParquet.ID, DataTypes.LongType, false)
                .add(getOrDefault(outputCol), ImageColumns.type(format), false);
        return SparkSession.active().createDataFrame(rows, schema);
    }

    /** A PNG grid of {@link #generate}'s images, as {@code generate --grid} draws it (square-ish, 2-pixel gaps). */
    public byte[] gridPng(int n, long seed) {
        return ImageGrid.png(samples(n, seed), (int) Math.ceil(Math.sqrt(n)));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        // bytes, never a live INDArray: Spark's block manager closes AutoCloseable values it evicts
        Broadcast<byte[]> weights = sc.broadcast(bytes(sampler().params()));
        String input = getOrDefault(inputCol);
        Generation generation = new Generation(weights, new HashMap<>(config().values()),
                dataset.schema().fieldIndex(input), dataset.schema().apply(input).dataType() instanceof NumericType,
                getOrDefault(imageFormat));
        return dataset.sparkSession().createDataFrame(dataset.toDF().javaRDD().mapPartitions(generation), out);
    }

    /** Makes the images of one partition's rows with the broadcast generator, in batches as generate does. */
    private record Generation(Broadcast<byte[]> weights, HashMap<String, String> config, int input, boolean seeds,
                              String format) implements FlatMapFunction<Iterator<Row>, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> partition) {
            List<Row> rows = new ArrayList<>();
            partition.forEachRemaining(rows::add);
            if (rows.isEmpty()) return Collections.emptyIterator();
            TrainConfig c = TrainConfig.resolve(config);
            ComputeThreads.pin(c.threads()); // on the thread that runs the ops
            MultiLayerNetwork g = generator(c, weights.value());
            int dim = c.model().latentDim(), side = c.model().resolution();
            float[] z = new float[rows.size() * dim];
            for (int i = 0; i < rows.size(); i++) System.arraycopy(latent(rows.get(i), dim), 0, z, i * dim, dim);
            float[] values = GeneratorSamples.generate(g, Nd4j.create(z, new long[]{rows.size(), dim},
                    org.nd4j.linalg.api.buffer.DataType.FLOAT)).dup('c').data().asFloat();
            List<Row> out = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Object[] fields = Arrays.copyOf(rowValues(rows.get(i)), rows.get(i).size() + 1);
                fields[fields.length - 1] = image(values, i, side, format);
                out.add(RowFactory.create(fields));
            }
            return out.iterator();
        }

        private float[] latent(Row row, int dim) {
            if (row.isNullAt(input)) throw new BadInputException("a null latent or seed");
            if (seeds) return GeneratorSamples.latents(((Number) row.get(input)).longValue(), 1, dim).toFloatVector();
            Object value = row.get(input);
            double[] v = value instanceof Vector vector ? vector.toArray()
                    : row.getList(input).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
            if (v.length != dim) {
                throw new BadInputException("a latent vector of " + v.length + " numbers; G takes latent-dim " + dim);
            }
            float[] f = new float[dim];
            for (int i = 0; i < dim; i++) f[i] = (float) v[i];
            return f;
        }

        private static Object[] rowValues(Row row) {
            Object[] v = new Object[row.size()];
            for (int i = 0; i < v.length; i++) v[i] = row.get(i);
            return v;
        }
    }

    private static Object image(float[] values, int index, int side, String format) {
        byte[] planar = ImageColumns.bytes(values, index, side);
        return format.equals(ImageColumns.IMAGE_STRUCT) ? ImageColumns.struct(planar, side) : planar;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String input = getOrDefault(inputCol), output = getOrDefault(outputCol);
        if (!Arrays.asList(schema.fieldNames()).contains(input)) {
            throw new BadInputException("no input column '" + input + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        DataType type = schema.apply(input).dataType();
        boolean numbers = type instanceof ArrayType a && a.elementType() instanceof NumericType;
        if (!(type instanceof NumericType) && !numbers && !(type instanceof VectorUDT)) {
            throw new BadInputException("column '" + input + "' has type " + type.simpleString()
                    + ": expected seeds (whole numbers) or latent vectors");
        }
        if (Arrays.asList(schema.fieldNames()).contains(output)) {
            throw new BadInputException("output column '" + output + "' exists already");
        }
        return schema.add(output, ImageColumns.type(getOrDefault(imageFormat)), false);
    }

    @Override
    public DcganModel copy(ParamMap extra) {
        return copyValues(new DcganModel(uid, trained), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<DcganModel> read() {
        return new Reader();
    }

    public static DcganModel load(String path) {
        return read().load(path);
    }

    private static byte[] bytes(INDArray array) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream data = new DataOutputStream(out)) {
            Nd4j.write(array, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A generator of {@code config}'s shape holding the weights {@link #bytes} wrote. */
    private static MultiLayerNetwork generator(TrainConfig config, byte[] weights) {
        MultiLayerNetwork g = Dcgan.generator(config.model(), config.optimizer(), config.seed());
        g.params().assign(array(weights).reshape(g.params().shape()));
        return g;
    }

    private static INDArray array(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return Nd4j.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Spark's metadata (the Params) beside data/: model.json (configuration, provenance, step) and the weights. */
    private static final class Writer extends MLWriter {
        private final DcganModel model;

        Writer(DcganModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(model, path, sc(), Option.empty(), Option.empty());
            try {
                RunFolder data = RunFolder.at(path + "/" + DATA, sc().hadoopConfiguration());
                Trained t = model.trained;
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("config", t.config().values());
                json.put("provenance", t.provenance());
                json.put("step", t.step());
                data.writeJson(MODEL_JSON, json);
                data.write(GENERATOR, bytes(t.generator().params()));
                if (t.generatorEma() != null) data.write(GENERATOR_EMA, bytes(t.generatorEma().params()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class Reader extends MLReader<DcganModel> {
        @Override
        @SuppressWarnings("unchecked")
        public DcganModel load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sc(),
                    DcganModel.class.getName());
            try {
                RunFolder data = RunFolder.at(path + "/" + DATA, sc().hadoopConfiguration());
                Map<String, Object> json = data.readJson(MODEL_JSON);
                Map<String, String> values = new LinkedHashMap<>();
                ((Map<String, Object>) json.get("config")).forEach((k, v) -> values.put(k, String.valueOf(v)));
                TrainConfig config = TrainConfig.resolve(values);
                MultiLayerNetwork g = generator(config, data.read(GENERATOR));
                MultiLayerNetwork ema = data.exists(GENERATOR_EMA) ? generator(config, data.read(GENERATOR_EMA)) : null;
                DcganModel model = new DcganModel(metadata.uid(), new Trained(config, g, ema,
                        (Map<String, Object>) json.get("provenance"), ((Number) json.get("step")).longValue()));
                metadata.getAndSetParams(model, Option.empty());
                return model;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
