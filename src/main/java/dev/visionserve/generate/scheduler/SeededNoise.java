package dev.visionserve.generate.scheduler;

import java.util.Random;

/**
 * A {@link NoiseSource} from {@link java.util.Random}, whose seeding and
 * {@code nextGaussian} algorithm the Java SE specification fixes, so a seed gives the
 * same image on every JVM. Not thread-safe; one per generation.
 */
public final class SeededNoise implements NoiseSource {

	private final Random random;

	public SeededNoise(long seed) {
		this.random = new Random(seed);
	}

	@Override
	public double nextGaussian() {
		return this.random.nextGaussian();
	}

}
