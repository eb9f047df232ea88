package org.sparkgan.ml;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.testing.TestSpark;
import org.sparkgan.train.TrainConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The examples of docs/library.md: the Java one runs as written, with a tiny configuration instead of its own; the
 * Scala one compiles.
 */
class DocsExampleTest {
    private static final String START = "// the example", END = "// end of the example";

    @TempDir
    Path dir;

    @Test
    void theJavaExampleRuns() throws Exception {
        String folder = MlFixtures.pngFrogs(dir.resolve("frogs"));
        String runDir = dir.resolve("run").toString();
        SparkSession spark = TestSpark.session();
        TrainConfig.Builder tiny = TrainConfig.preset("small");
        MlFixtures.TINY.forEach((key, value) -> with(tiny, TrainConfig.param(key), value));
        TrainConfig config = tiny.build();
        // the example
        Dataset<Row> frogs = spark.read().format("image").load(folder);
        DcganModel model = new DcganEstimator().setConfig(config).setRunDir(runDir).fit(frogs);
        Files.write(Path.of(runDir, "grid.png"), model.gridPng(64, 0));
        // end of the example
        assertTrue(Files.size(Path.of(runDir, "grid.png")) > 0);
        assertTrue(Files.exists(Path.of(runDir, "report.html")));

        List<String> source = Files.readAllLines(Path.of("src/test/java/org/sparkgan/ml/DocsExampleTest.java"));
        List<String> example = source.subList(indexOf(source, START) + 1, indexOf(source, END)).stream()
                .map(String::strip).toList();
        String page = Files.readString(Path.of("docs/library.md"));
        String javaBlock = page.substring(page.indexOf("```java"), page.indexOf("```", page.indexOf("```java") + 3));
        List<String> shown = javaBlock.lines().map(String::strip).toList();
        assertEquals(example, shown.subList(shown.size() - example.size(), shown.size()));
    }

    /**
     * The spark-shell example compiles against the library, as spark-shell would compile it (Scala 2.12, Spark's own):
     * {@code spark} is the shell's session. It is not run: its 2,000 steps of the small preset take minutes.
     */
    @Test
    void theScalaExampleCompiles() throws Exception {
        String page = Files.readString(Path.of("docs/library.md"));
        int start = page.indexOf("```scala\n") + "```scala\n".length();
        String example = page.substring(start, page.indexOf("```", start));
        Path source = dir.resolve("ShellExample.scala");
        Files.writeString(source, "object ShellExample {\n  def run(spark: org.apache.spark.sql.SparkSession): Unit = {\n"
                + example + "  }\n}\n");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        boolean compiled = scala.tools.nsc.Main.process(new String[] {"-classpath",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "-d", classes.toString(), source.toString()});
        assertTrue(compiled, "the Scala example of docs/library.md does not compile (scalac's errors above):\n" + example);
        assertTrue(Files.exists(classes.resolve("ShellExample.class")));
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).strip().equals(marker)) return i;
        throw new IllegalStateException("no line " + marker);
    }

    private static <T> void with(TrainConfig.Builder builder, org.sparkgan.train.Param<T> key, String value) {
        builder.with(key, key.parse(value));
    }
}
