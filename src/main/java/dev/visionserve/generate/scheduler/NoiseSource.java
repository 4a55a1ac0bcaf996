package dev.visionserve.generate.scheduler;

/**
 * Standard normal numbers for one generation: its initial noise and whatever noise the
 * stochastic samplers add. Each generation owns its source, so its result depends on its
 * seed alone and never on what other jobs draw. Not thread-safe; used by one job.
 */
@FunctionalInterface
public interface NoiseSource {

	/**
	 * @return the next draw from N(0, 1)
	 */
	double nextGaussian();

	/**
	 * Draws the initial noise of a generation; multiply by
	 * {@link Scheduler#initNoiseSigma()} before the first step.
	 * @param length the number of elements
	 * @return {@code length} draws from N(0, 1), in draw order
	 */
	default float[] gaussian(int length) {
		float[] values = new float[length];
		for (int i = 0; i < values.length; i++) {
			values[i] = (float) nextGaussian();
		}
		return values;
	}

}
