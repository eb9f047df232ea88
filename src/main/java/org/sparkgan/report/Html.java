package org.sparkgan.report;

/** What report.html and the comparison page share: the page's head and CSS, the palette, figures, escaping. */
final class Html {
    private Html() {}

    /** Distinct colours for series and runs (a study compares ten runs); more than twelve reuse them in order. */
    static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
            "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939"};
    /** Reference lines: chance, thresholds. */
    static final String GREY = "#888888";
    static final String END = "</main>\n</body>\n</html>\n";

    /** The rules both pages use; each page adds its own after them (a later rule wins). */
    private static final String STYLE = """
            body { margin: 0; background: #f3f4f6; color: #1f2328;
                   font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
            main { margin: 0 auto; padding: 20px 28px 48px; background: #fff; min-height: 100vh;
                   box-sizing: border-box; }
            h1 { font-size: 24px; margin: 0 0 4px; }
            h2 { font-size: 18px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
            .where { color: #666; overflow-wrap: anywhere; }
            nav a { color: #0b5cad; text-decoration: none; }
            table { border-collapse: collapse; width: 100%; }
            th, td { padding: 4px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
            figcaption { color: #555; font-size: 13px; }
            svg.chart { display: block; height: auto; border: 1px solid #e3e3e3; border-radius: 4px; }
            .note { color: #555; }
            """;

    /** A page up to its {@code <main>}: the title, the shared CSS, then {@code style}; {@link #END} closes it. */
    static StringBuilder page(String title, String style) {
        return new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(title)).append("</title>\n")
                .append("<style>\n").append(STYLE).append(style).append("</style>\n</head>\n<body>\n<main>\n");
    }

    /** A figure: {@code content} (a chart's SVG, a note) above its caption. */
    static void figure(StringBuilder sb, String content, String caption) {
        sb.append("<figure>\n").append(content).append("<figcaption>").append(escape(caption))
                .append("</figcaption>\n</figure>\n");
    }

    /** A sample grid's PNG, linked to itself so a click opens it full size. */
    static void image(StringBuilder sb, String link, String alt) {
        sb.append("<a href=\"").append(escape(link)).append("\"><img src=\"").append(escape(link)).append("\" alt=\"")
                .append(escape(alt)).append("\" loading=\"lazy\"></a>");
    }

    static String escape(Object value) {
        String s = String.valueOf(value);
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
