package org.sparkgan.data;

import org.sparkgan.BadInputException;

/**
 * What {@code prep} does with encoded images (a folder tree, or a Parquet table of encoded bytes or of Spark's
 * {@code image} rows), validated: the side every image becomes, the class of every image when one is given
 * ({@code className}, else the folder names or {@code labelColumn}), the table's image column when not the usual one,
 * whether an unreadable image fails the job instead of being skipped, and the split all images belong to.
 */
public record ImagePrepOptions(String input, String output, int size, String className, String imageColumn,
                               String labelColumn, String split, boolean strict, boolean overwrite) {
    public ImagePrepOptions {
        if (input == null || input.isBlank()) throw new BadInputException("--input is required");
        if (output == null || output.isBlank()) throw new BadInputException("--output is required");
        checkSize(size);
        if (className != null && className.isBlank()) throw new BadInputException("--class is empty");
        if (className != null && labelColumn != null) {
            throw new BadInputException("--class and --label-column exclude each other (one names every image's "
                    + "class, the other reads it per row)");
        }
        if (!CifarParquet.SPLITS.contains(split)) {
            throw new BadInputException("--split: unknown split '" + split + "' (expected train or test)");
        }
    }

    /** A one-line error for a side the model has no stages for. */
    public static void checkSize(int size) {
        if (!ImagePixels.SIDES.contains(size)) {
            throw new BadInputException("--size " + size + " is not supported (supported sizes: "
                    + ImagePixels.SIDES.stream().map(String::valueOf).reduce((a, b) -> a + " and " + b).orElseThrow()
                    + ")");
        }
    }
}
