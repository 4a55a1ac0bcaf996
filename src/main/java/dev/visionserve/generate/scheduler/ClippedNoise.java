package dev.visionserve.generate.scheduler;

/**
 * Undoes, in expectation, what 8-bit storage does to Gaussian noise at the ends of the
 * range. A noisy image saved as PNG is clipped to 0–255, so a black pixel's negative
 * noise is lost and a black background reads as dark grey: the denoiser, which expects x₀
 * + σ·n, would see a brighter image than the truth. A pixel read as 0 most likely had a
 * true value of 0 and noise below it, whose mean is E[σn | n &lt; 0] = −σ·√(2/π)
 * (likewise above 255). Replacing the clipped pixels by that mean costs no model call and
 * measured +0.4 / +0.7 / +2.9 dB at σ = 25 / 50 / 100 on Fashion-MNIST training images
 * ({@code models/training/prototype_editing.py}). Stateless.
 */
public final class ClippedNoise {

	private static final double HALF_NORMAL_MEAN = Math.sqrt(2 / Math.PI);

	private ClippedNoise() {
	}

	/**
	 * @param levels pixels on the 0–255 scale, as read from the 8-bit image
	 * @param sigma the noise's standard deviation on the same scale
	 * @return the pixels with 0 and 255 replaced by the means of the clipped noise tails
	 */
	public static float[] unclip(float[] levels, double sigma) {
		float[] unclipped = new float[levels.length];
		double tail = sigma * HALF_NORMAL_MEAN;
		for (int i = 0; i < levels.length; i++) {
			float level = levels[i];
			unclipped[i] = (float) ((level <= 0) ? -tail : (level >= 255) ? 255 + tail : level);
		}
		return unclipped;
	}

}
