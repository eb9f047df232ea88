package org.sparkgan.report;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Axes cover the data: negative values, values above a chart's usual top, and the check itself. */
class SvgChartTest {
    static Document parse(SvgChart chart) throws Exception {
        List<Document> charts = ReportPages.charts(chart.svg());
        assertEquals(1, charts.size());
        return charts.get(0);
    }

    static SvgChart.Series series(String name, boolean dashed, double... values) {
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < values.length; i++) points.add(new double[]{100 * (i + 1), values[i]});
        return new SvgChart.Series(name, "#1f77b4", dashed, points);
    }

    /** The y-axis tick labels, bottom to top. */
    static List<Double> yTicks(Document chart) {
        List<Double> ticks = new ArrayList<>();
        NodeList texts = chart.getElementsByTagName("text");
        for (int i = 0; i < texts.getLength(); i++) {
            Element t = (Element) texts.item(i);
            if (t.getAttribute("text-anchor").equals("end")) ticks.add(Double.parseDouble(t.getTextContent()));
        }
        return ticks;
    }

    @Test
    void negativeColourMeansAreInsideThePlot() throws Exception {
        // a real run's colour chart: real means -0.07, -0.11, -0.30; the grid's blue down to -0.52
        SvgChart chart = new SvgChart("Colour", "step", "channel mean")
                .add(series("red of real images", true, -0.07, -0.07, -0.07))
                .add(series("green of real images", true, -0.11, -0.11, -0.11))
                .add(series("blue of real images", true, -0.30, -0.30, -0.30))
                .add(series("blue of the sample grid", false, -0.52, -0.21, 0.12));
        Document svg = parse(chart);
        ReportPages.assertPointsInsidePlot(svg);
        List<Double> ticks = yTicks(svg);
        assertTrue(ticks.get(0) <= -0.52 && ticks.get(ticks.size() - 1) >= 0.12, "axis covers the data: " + ticks);
    }

    @Test
    void aFixedTopStretchesForLargerValuesAndKeepsItsScaleForSmallOnes() throws Exception {
        Document above = parse(new SvgChart("D accuracy", "step", "accuracy").yAtLeast(1)
                .add(series("above one", false, 0.5, 1.7)));
        ReportPages.assertPointsInsidePlot(above);
        assertTrue(yTicks(above).get(yTicks(above).size() - 1) >= 1.7, yTicks(above).toString());

        Document small = parse(new SvgChart("D accuracy", "step", "accuracy").yAtLeast(1)
                .add(series("small", false, 0.2, 0.3)));
        ReportPages.assertPointsInsidePlot(small);
        assertEquals(List.of(0.0, 1.0), List.of(yTicks(small).get(0), yTicks(small).get(yTicks(small).size() - 1)));
    }

    /** Many runs' legend (a comparison of eight runs and their floors) takes rows of its own, not the plot's height. */
    @Test
    void aLongLegendMakesTheChartTallerAndKeepsThePlot() throws Exception {
        SvgChart one = new SvgChart("SWD", "images seen", "SWD").add(series("jvm-seed1", false, 300, 50));
        SvgChart many = new SvgChart("SWD", "images seen", "SWD");
        for (String run : List.of("jvm-seed1", "jvm-seed2", "w2-k1-seed1", "w2-k4-seed1", "w4-k4-seed1", "w8-k4-seed1",
                "w8-k4-seed2", "w8-k16-seed1")) {
            many.add(series(run, false, 300, 50)).add(series(run + " floor", true, 16, 16));
        }
        Element single = parse(one).getDocumentElement(), tall = parse(many).getDocumentElement();
        assertEquals(SvgChart.HEIGHT, Integer.parseInt(single.getAttribute("height")));
        int height = Integer.parseInt(tall.getAttribute("height"));
        assertTrue(height >= SvgChart.HEIGHT + 3 * 20, "legend rows add height: " + height);
        double[] small = ReportPages.plotFrame(parse(one)), large = ReportPages.plotFrame(parse(many));
        assertEquals(small[3] - small[1], large[3] - large[1], "the plot keeps its height");
        ReportPages.assertPointsInsidePlot(parse(many));
    }

    @Test
    void aPointOffThePlotFailsTheCheck() throws Exception {
        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" aria-label=\"off\">"
                + "<rect x=\"64\" y=\"40\" width=\"600\" height=\"200\" fill=\"none\" stroke=\"#999\"/>"
                + "<polyline fill=\"none\" points=\"70.0,50.0 120.0,261.3\"/></svg>";
        Document off = ReportPages.charts(svg).get(0);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> ReportPages.assertPointsInsidePlot(off));
        assertTrue(e.getMessage().contains("(120.0, 261.3) outside the plot"), e.getMessage());
    }
}
