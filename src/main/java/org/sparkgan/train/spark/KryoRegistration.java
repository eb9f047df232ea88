package org.sparkgan.train.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jRegistrator;
import org.sparkgan.data.RecordFile;
import org.sparkgan.train.GanStep;

/**
 * Spark's Kryo setup for sparkgan: ND4J's registrator (INDArrays need it), and Java serialization for the records
 * that cross the wire — Spark's Kryo 4 cannot build a field serializer for Java records.
 */
public final class KryoRegistration implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        new Nd4jRegistrator().registerClasses(kryo);
        for (Class<?> c : new Class<?>[]{RecordFile.class, NetworkState.class, RoundSum.class,
                RoundSum.Report.class, GanStep.Result.class}) {
            kryo.register(c, new JavaSerializer());
        }
    }
}
