package org.sparkgan.report;

import org.sparkgan.io.RunFolder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks shared by the report tests: links that resolve inside the run folder, well-formed inline SVG, points inside
 * the plot.
 */
final class ReportPages {
    private static final Pattern LINK = Pattern.compile("(?:href|src)=\"([^\"]*)\"");
    private static final Pattern SVG = Pattern.compile("<svg\\b.*?</svg>", Pattern.DOTALL);
    private static final Pattern IMG = Pattern.compile("<img\\b[^>]*>");
    private static final Pattern NATURAL_WIDTH = Pattern.compile("data-natural-width=\"(\\d+)\"");
    /**
     * Added to a copy of the page: loads every image at once (the pages load them lazily, and a headless window does
     * not scroll) and, after the load event, writes each one's decoded width into the DOM (0: it did not load).
     */
    private static final String IMAGE_PROBE = "<script>for (const i of document.images) i.loading = 'eager';"
            + "addEventListener('load', () => { for (const i of document.images) "
            + "i.setAttribute('data-natural-width', i.naturalWidth); });</script>";

    private ReportPages() {}

    /** Every href and src: a fragment naming an id of the page, or a relative path to a file in the run folder. */
    static List<String> assertLinksResolve(String html, RunFolder run) throws Exception {
        List<String> files = new ArrayList<>();
        Matcher m = LINK.matcher(html);
        while (m.find()) {
            String link = m.group(1).replace("&amp;", "&");
            if (link.startsWith("#")) {
                assertTrue(html.contains("id=\"" + link.substring(1) + "\""), "no element for " + link);
                continue;
            }
            assertFalse(link.isEmpty() || link.startsWith("/") || link.contains(":") || link.contains(".."),
                    "not a relative link inside the run folder: " + link);
            assertTrue(run.exists(link), "the report links " + link + ", which is not in the run folder");
            files.add(link);
        }
        return files;
    }

    /** The inline SVG charts, each parsed as XML so a stray unescaped character fails. */
    static List<Document> charts(String html) throws Exception {
        List<Document> out = new ArrayList<>();
        Matcher m = SVG.matcher(html);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        while (m.find()) {
            out.add(f.newDocumentBuilder().parse(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.UTF_8))));
        }
        return out;
    }

    /** The plot frame, the rectangle drawn without fill: left, top, right, bottom. */
    static double[] plotFrame(Document chart) {
        double[] frame = null;
        NodeList rects = chart.getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            if (r.getAttribute("fill").equals("none")) {
                frame = new double[]{number(r, "x"), number(r, "y"), number(r, "x") + number(r, "width"),
                        number(r, "y") + number(r, "height")};
            }
        }
        assertNotNull(frame, "a plot frame");
        return frame;
    }

    /**
     * Every drawn point of the chart (the vertices of its lines and its markers) lies inside the plot frame, the
     * rectangle drawn without fill; half a pixel of slack for the one-decimal coordinates.
     */
    static void assertPointsInsidePlot(Document chart) {
        double[] frame = plotFrame(chart);
        String title = chart.getDocumentElement().getAttribute("aria-label");
        List<double[]> points = new ArrayList<>();
        NodeList lines = chart.getElementsByTagName("polyline");
        for (int i = 0; i < lines.getLength(); i++) {
            for (String xy : ((Element) lines.item(i)).getAttribute("points").trim().split("\\s+")) {
                String[] c = xy.split(",");
                points.add(new double[]{Double.parseDouble(c[0]), Double.parseDouble(c[1])});
            }
        }
        NodeList circles = chart.getElementsByTagName("circle");
        for (int i = 0; i < circles.getLength(); i++) {
            Element c = (Element) circles.item(i);
            points.add(new double[]{number(c, "cx"), number(c, "cy")});
        }
        assertFalse(points.isEmpty(), title + ": nothing drawn");
        for (double[] p : points) {
            assertTrue(p[0] >= frame[0] - 0.5 && p[0] <= frame[2] + 0.5 && p[1] >= frame[1] - 0.5
                            && p[1] <= frame[3] + 0.5,
                    title + ": point (" + p[0] + ", " + p[1] + ") outside the plot " + Arrays.toString(frame));
        }
    }

    private static double number(Element e, String attribute) {
        return Double.parseDouble(e.getAttribute(attribute));
    }

    static String read(RunFolder run) throws Exception {
        return new String(run.read(RunReport.FILE), StandardCharsets.UTF_8);
    }

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    /**
     * {@code page} rendered by headless Chromium at {@code width}×{@code height} into {@code png}; fails, rather than
     * skips, without Chromium (CI installs it with .ci/install-chromium.sh). Checks that every image of the page
     * (the sample grids) loads and that the screenshot is a page of many colours (text, charts and frog grids).
     */
    static BufferedImage screenshot(Path page, Path png, int width, int height) throws Exception {
        chromium("--screenshot=" + png, "--window-size=" + width + "," + height, page.toUri().toString());
        assertTrue(Files.isRegularFile(png) && Files.size(png) > 10_000, "no screenshot");
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(width, image.getWidth());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) colours.add(image.getRGB(x, y));
        }
        assertTrue(colours.size() > 500,
                "a page of text, charts and frog grids has many colours, got " + colours.size());
        assertEveryImageLoads(page);
        return image;
    }

    /**
     * Every {@code <img>} of {@code page} loads and decodes in Chromium: a copy of the page beside it (so relative
     * links resolve alike) records each image's natural width after the load event, read back with --dump-dom.
     */
    static void assertEveryImageLoads(Path page) throws Exception {
        String html = Files.readString(page);
        int images = 0;
        for (Matcher m = IMG.matcher(html); m.find(); ) images++;
        assertTrue(images > 0, "the page shows no sample grid");
        Path probe = page.resolveSibling("." + page.getFileName() + ".probe.html");
        Files.writeString(probe, html.replace("</body>", IMAGE_PROBE + "</body>"));
        String dom;
        try {
            dom = chromium("--virtual-time-budget=10000", "--dump-dom", probe.toUri().toString());
        } finally {
            Files.delete(probe);
        }
        List<String> notLoaded = new ArrayList<>();
        int seen = 0;
        for (Matcher m = IMG.matcher(dom); m.find(); seen++) {
            Matcher w = NATURAL_WIDTH.matcher(m.group());
            if (!w.find() || Integer.parseInt(w.group(1)) == 0) notLoaded.add(m.group());
        }
        assertEquals(images, seen, "images in the rendered page");
        assertEquals(List.of(), notLoaded, "images that did not load");
    }

    /** Runs headless Chromium with {@code arguments} in a fresh profile, removed afterwards; returns its stdout. */
    private static String chromium(String... arguments) throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM
                + ": run .ci/install-chromium.sh (as root) so the page can be rendered headless");
        Path scratch = Files.createTempDirectory("sparkgan-chromium");
        try {
            return chromium(scratch, arguments);
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String chromium(Path scratch, String[] arguments) throws Exception {
        Path profile = scratch.resolve("profile"), out = scratch.resolve("stdout"), log = scratch.resolve("stderr");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile));
        command.addAll(List.of(arguments));
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("Chromium did not finish within 180 s:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), "Chromium failed:\n" + Files.readString(log));
        return Files.readString(out);
    }
}
