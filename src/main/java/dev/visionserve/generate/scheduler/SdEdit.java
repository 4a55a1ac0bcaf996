package dev.visionserve.generate.scheduler;

/**
 * SDEdit's start (Meng et al. 2022): instead of pure noise, the reverse process starts
 * from the input noised to t₀ = strength · T, so a low strength keeps the input's layout
 * and a high one lets the model repaint it. Stateless.
 */
public final class SdEdit {

	private SdEdit() {
	}

	/**
	 * @param timesteps the sampler's timesteps, noisiest first
	 * @param strength 0 (keep the input) to 1 (start from noise)
	 * @return the index of the first timestep to run: {@code timesteps.length} (run none:
	 * the input is the output) for strength 0, 0 for strength 1
	 */
	public static int startIndex(int[] timesteps, double strength) {
		return timesteps.length - runLength(timesteps.length, strength);
	}

	/**
	 * @param steps the sampler's timesteps
	 * @param strength 0 (keep the input) to 1 (start from noise)
	 * @return how many of them run, each one model call
	 */
	public static int runLength(int steps, double strength) {
		if (!(strength >= 0 && strength <= 1)) {
			throw new IllegalArgumentException("strength must be 0 to 1, was " + strength);
		}
		return (int) Math.round(strength * steps);
	}

}
