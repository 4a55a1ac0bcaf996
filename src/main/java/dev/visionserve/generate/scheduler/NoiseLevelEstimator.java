package dev.visionserve.generate.scheduler;

/**
 * Placeholder until the calibrated estimator lands: the median absolute deviation of the
 * diagonal Haar detail, over 0.6745 (Donoho and Johnstone 1994). Stateless.
 */
public final class NoiseLevelEstimator {

	private NoiseLevelEstimator() {
	}

	/**
	 * @param pixels CHW on the 0–255 scale
	 * @return the noise's standard deviation on the 0–255 scale
	 */
	public static double estimate(float[] pixels, int channels, int height, int width) {
		int count = channels * (height / 2) * (width / 2);
		double[] details = new double[count];
		int n = 0;
		for (int c = 0; c < channels; c++) {
			for (int y = 0; y + 1 < height; y += 2) {
				for (int x = 0; x + 1 < width; x += 2) {
					int i = (c * height + y) * width + x;
					details[n++] = Math.abs(pixels[i] - pixels[i + 1] - pixels[i + width] + pixels[i + width + 1]) / 2;
				}
			}
		}
		java.util.Arrays.sort(details, 0, n);
		return details[n / 2] / 0.6745;
	}

}
