package org.sparkgan.io;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkgan.BadInputException;

import java.io.IOException;
import java.util.UUID;

/**
 * Writes a folder beside its final place under a hidden temporary name and renames it into place at the end,
 * so a failed or refused job leaves the target exactly as it was (absent, or the previous version intact).
 * Spark's own job commit does not give this: it deletes an existing output before writing on overwrite.
 */
public final class StagedOutput {
    private final FileSystem fs;
    private final Path target;
    private final Path staging;
    private boolean done;

    private StagedOutput(FileSystem fs, Path target, Path staging) {
        this.fs = fs;
        this.target = target;
        this.staging = staging;
    }

    /** Refuses an existing target unless {@code overwrite}; the staging folder is not created yet. */
    public static StagedOutput begin(FileSystem fs, Path target, boolean overwrite) throws IOException {
        Path qualified = fs.makeQualified(target);
        if (fs.exists(qualified) && !overwrite) {
            throw new BadInputException(qualified + ": output already exists (use --overwrite to replace it)");
        }
        Path parent = qualified.getParent();
        if (parent == null) throw new BadInputException(qualified + ": cannot write to the root folder");
        Path staging = new Path(parent, "." + qualified.getName() + ".tmp-" + UUID.randomUUID());
        return new StagedOutput(fs, qualified, staging);
    }

    public Path target() {
        return target;
    }

    /** Where the job writes; hidden from readers of the parent folder (leading dot). */
    public Path staging() {
        return staging;
    }

    /** Moves the staging folder into place, replacing a previous target only after the new one is complete. */
    public void commit() throws IOException {
        Path old = null;
        if (fs.exists(target)) {
            old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
            rename(target, old);
        }
        try {
            rename(staging, target);
        } catch (IOException e) {
            if (old != null) fs.rename(old, target);
            throw e;
        }
        done = true;
        if (old != null) fs.delete(old, true);
    }

    /** Deletes the staging folder; the target is untouched. Safe to call after commit (does nothing then). */
    public void abort() {
        if (done) return;
        try {
            fs.delete(staging, true);
        } catch (IOException ignored) {
            // best effort: the staging name is hidden and unique, it cannot be mistaken for output
        }
        done = true;
    }

    private void rename(Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) throw new IOException("could not rename " + from + " to " + to);
    }
}
