package org.sparkgan.data;

import org.sparkgan.BadInputException;
import java.io.Serializable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file of CIFAR-10 records: a plain file ({@code entry} null) or an entry of a tar.gz archive.
 * Official names fix the split and the id of the first record; any other file takes the default split and ids from 0.
 */
public record RecordFile(String uri, String entry, String split, long firstId, long records) implements Serializable {

    private static final Pattern TRAIN_BATCH = Pattern.compile("data_batch_([1-5])\\.bin");

    public static RecordFile of(String uri, String entry, long sizeBytes, String defaultSplit) {
        String display = entry == null ? uri : uri + "!" + entry;
        if (sizeBytes % CifarFormat.RECORD_BYTES != 0) {
            throw new BadInputException(display + ": size " + sizeBytes + " bytes is not a multiple of the "
                    + CifarFormat.RECORD_BYTES + "-byte CIFAR-10 record (" + sizeBytes % CifarFormat.RECORD_BYTES
                    + " bytes left over after " + sizeBytes / CifarFormat.RECORD_BYTES + " records)");
        }
        String base = baseName(entry == null ? uri : entry);
        Matcher m = TRAIN_BATCH.matcher(base);
        String split = defaultSplit;
        long firstId = 0;
        if (m.matches()) {
            split = "train";
            firstId = (Integer.parseInt(m.group(1)) - 1) * (long) CifarFormat.RECORDS_PER_BATCH;
        } else if (base.equals("test_batch.bin")) {
            split = "test";
        }
        return new RecordFile(uri, entry, split, firstId, sizeBytes / CifarFormat.RECORD_BYTES);
    }

    /** How messages name this file: the path, or archive!entry. */
    public String displayName() {
        return entry == null ? uri : uri + "!" + entry;
    }

    static String baseName(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.substring(p.lastIndexOf('/') + 1);
    }
}
