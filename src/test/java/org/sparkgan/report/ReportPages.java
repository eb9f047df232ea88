package org.sparkgan.report;

import org.sparkgan.io.RunFolder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks shared by the report tests: links that resolve inside the run folder, well-formed inline SVG, points inside
 * the plot.
 */
final class ReportPages {
    private static final Pattern LINK = Pattern.compile("(?:href|src)=\"([^\"]*)\"");
    private static final Pattern SVG = Pattern.compile("<svg\\b.*?</svg>", Pattern.DOTALL);

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

    /**
     * Every drawn point of the chart (the vertices of its lines and its markers) lies inside the plot frame, the
     * rectangle drawn without fill; half a pixel of slack for the one-decimal coordinates.
     */
    static void assertPointsInsidePlot(Document chart) {
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
}
