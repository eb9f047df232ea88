package org.sparkgan.report;

import org.sparkgan.io.RunFolder;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks shared by the report tests: links that resolve inside the run folder, well-formed inline SVG. */
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

    static String read(RunFolder run) throws Exception {
        return new String(run.read(RunReport.FILE), StandardCharsets.UTF_8);
    }
}
