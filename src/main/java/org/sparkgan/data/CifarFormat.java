package org.sparkgan.data;

import org.sparkgan.io.PathKinds;

/** The official CIFAR-10 binary record: one label byte, then 1,024 R, 1,024 G and 1,024 B bytes (32×32, row-major). */
public final class CifarFormat {
    public static final int SIDE = 32;
    public static final int CHANNELS = 3;
    public static final int IMAGE_BYTES = SIDE * SIDE * CHANNELS;
    public static final int RECORD_BYTES = IMAGE_BYTES + 1;
    /** The folder inside the official archive that holds the record files. */
    public static final String ARCHIVE_FOLDER = PathKinds.CIFAR_FOLDER;
    /** Records per official batch file; data_batch_N starts at id (N-1)·10,000. */
    public static final int RECORDS_PER_BATCH = 10_000;

    private CifarFormat() {}
}
