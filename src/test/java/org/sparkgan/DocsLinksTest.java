package org.sparkgan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link and image of README.md and docs/*.md points at a file that exists, and every #anchor at a
 * heading of its page (GitHub's heading ids), so moving or renaming a page or heading cannot leave a dead link.
 */
class DocsLinksTest {
    /** [text](target) and ![alt](target); the target ends at the first space (a title may follow) or ')'. */
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*]\\(([^)\\s]+)[^)]*\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

    @Test
    void everyRelativeLinkAndImageResolves() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        assertTrue(pages.size() > 1, "docs/ holds the pages the README links");
        List<String> broken = brokenLinks(pages);
        assertEquals(List.of(), broken, "dead links");
    }

    @Test
    void aMissingFileOrHeadingIsReported(@TempDir Path dir) throws IOException {
        Path page = dir.resolve("page.md");
        Files.writeString(dir.resolve("other.md"), "# Other\n\n## Its part, (one)\n");
        Files.writeString(page, String.join("\n",
                "# Page", "[ok](other.md#its-part-one) [ok](#page) [web](https://example.org/x.md)",
                "![gone](img/missing.png) [gone](other.md#no-such-part) [gone](#nowhere)",
                "```", "[in code](not-checked.md)", "```", "`[inline](not-checked.md)`"));
        assertEquals(List.of(page + ": img/missing.png", page + ": other.md#no-such-part", page + ": #nowhere"),
                brokenLinks(List.of(page)));
    }

    /** "page: target" for every relative link or image whose file or heading is missing. */
    static List<String> brokenLinks(List<Path> pages) throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            for (String target : links(Files.readString(page))) {
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) continue; // https:, mailto: …
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? page : page.resolveSibling(file).normalize();
                boolean ok = Files.exists(resolved);
                if (ok && hash >= 0 && resolved.toString().endsWith(".md")) {
                    ok = anchors(Files.readString(resolved)).contains(target.substring(hash + 1));
                }
                if (!ok) broken.add(page + ": " + target);
            }
        }
        return broken;
    }

    /** The link targets of a Markdown text, outside fenced code blocks and inline code. */
    static List<String> links(String markdown) {
        List<String> targets = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n")) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) continue;
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
            while (m.find()) targets.add(m.group(1));
        }
        return targets;
    }

    /** GitHub's heading ids: lower case, punctuation dropped, spaces as '-', repeats numbered -1, -2, … */
    static Set<String> anchors(String markdown) {
        Set<String> ids = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : markdown.split("\n")) {
            if (line.stripLeading().startsWith("```")) fenced = !fenced;
            Matcher m = HEADING.matcher(line);
            if (fenced || !m.matches()) continue;
            StringBuilder id = new StringBuilder();
            for (char c : m.group(1).toLowerCase(Locale.ROOT).toCharArray()) {
                if (Character.isLetterOrDigit(c) || c == '-' || c == '_') id.append(c);
                else if (c == ' ') id.append('-');
            }
            int n = seen.merge(id.toString(), 1, Integer::sum);
            ids.add(n == 1 ? id.toString() : id + "-" + (n - 1));
        }
        return ids;
    }
}
