package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.model.Dcgan;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** RMSprop's state of both networks lives on from one step to the next (MultiLayerNetwork.clear() drops it). */
class GanStepOptimizerStateTest {
    @Test
    void bothNetworksKeepTheirRmsPropStateAcrossSteps() throws Exception {
        TrainConfig config = TinyRuns.config("label-noise", "0");
        MultiLayerNetwork g = Dcgan.generator(config.model(), config.optimizer(), 1);
        MultiLayerNetwork d = Dcgan.discriminator(config.model(), config.optimizer(), 2);
        GanStep step = new GanStep(g, d, config);
        INDArray reals = TinyRuns.frogs(8);
        step.run(reals, 1);
        INDArray gState = g.getUpdater().getStateViewArray().dup(), dState = d.getUpdater().getStateViewArray().dup();
        assertTrue(gState.norm2Number().doubleValue() > 0, "G's RMSprop state after a step is empty");
        assertTrue(dState.norm2Number().doubleValue() > 0, "D's RMSprop state after a step is empty");
        step.run(reals, 2);
        // v = rho * v + (1 - rho) * g^2 never falls below rho * v
        double rho = config.optimizer().rho();
        assertTrue(g.getUpdater().getStateViewArray().sub(gState.mul(rho)).minNumber().doubleValue() >= -1e-12,
                "G's RMSprop state restarted");
        assertTrue(d.getUpdater().getStateViewArray().sub(dState.mul(rho)).minNumber().doubleValue() >= -1e-12,
                "D's RMSprop state restarted");
    }
}
