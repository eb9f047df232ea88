package org.sparkgan.ml;

/** Versions for provenance records, read from the jars' manifests. */
final class Versions {
    private Versions() {}

    static String sparkgan() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static String of(String className) {
        try {
            Package p = Class.forName(className).getPackage();
            String v = p.getImplementationVersion();
            if (v != null) return v;
            String jar = Class.forName(className).getProtectionDomain().getCodeSource().getLocation().getPath();
            return jar.substring(jar.lastIndexOf('/') + 1);
        } catch (Exception e) {
            return "unknown";
        }
    }
}
