package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** What training advances: G and D (with their RMSprop states) after {@code step} steps. */
public record TrainingState(long step, MultiLayerNetwork generator, MultiLayerNetwork discriminator) {}
