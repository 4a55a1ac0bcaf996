package dev.visionserve.generate.scheduler;

import java.util.Arrays;

/**
 * Blind estimate of the standard deviation of additive Gaussian noise in an 8-bit image
 * (0–255 scale), for {@code /denoise} without a {@code noiseLevel}. Stateless.
 *
 * <p>
 * The textbook estimator (Donoho's median of the finest diagonal wavelet band / 0.6745)
 * assumes the noise is not clipped. A noisy Fashion-MNIST PNG breaks that: its background
 * is black, so half of the noise there is clipped to 0, and the textbook estimate reads
 * about 20 / 36 / 64 for a true 25 / 50 / 100. This estimator uses the clipping instead
 * of suffering it: a black pixel of a noisy image reads 0 with probability ≈ ½ and
 * otherwise |σ·n|, a half-normal with scale σ.
 * <ol>
 * <li>Background pixels are those with at least 4 of their 8 neighbours at 0 (outside the
 * image counts as not 0). Only the neighbours decide, so the pixel's own value keeps its
 * distribution.</li>
 * <li>The positive background values are half-normal with scale σ; their mean below their
 * 90 % quantile (robust to the garment-edge pixels that pass the test) divided by that of
 * |N(0,1)| below its 90 % quantile, √(2/π)·(1 − e^(−z²/2))/0.9 with z = Φ⁻¹(0.95),
 * estimates σ.</li>
 * <li>That estimate is divided by {@value #CALIBRATION}, the mean over σ = 25, 50, 75,
 * 100 of (raw estimate / σ) on 200 Fashion-MNIST training images (20 per class), measured
 * by {@code models/training/prototype_editing.py estimator}: the garment edges that pass
 * the background test add a few percent.</li>
 * <li>Fewer than a quarter of the background pixels positive means a clean background: 0.
 * Fewer than 32 background pixels (an image without black background, whose noise is then
 * mostly unclipped) falls back to the textbook estimate over 2×2 blocks without a pixel
 * at 0 or 255 (all blocks if fewer than 16 are left).</li>
 * </ol>
 * Measured by that script on those training images (noise added on the 0–255 scale,
 * rounded and clipped to 8 bit), mean ± standard deviation of the estimate: σ 0 → 0.4 ±
 * 3.0; 5 → 5.7 ± 0.7; 10 → 10.6 ± 1.0; 25 → 24.8 ± 2.4; 50 → 50.1 ± 5.4; 75 → 75.1 ± 7.0;
 * 100 → 100.3 ± 10.3 (about 10 % relative spread from σ = 25 up; the textbook one reads
 * 19.9 ± 3.1, 36.1 ± 4.9, 63.8 ± 6.7 for 25, 50, 100 there). Channels are pooled.
 */
public final class NoiseLevelEstimator {

	/** Raw estimate / true σ on training images; see the class comment. */
	static final double CALIBRATION = 1.0483;

	/** Φ⁻¹(0.95): the 90 % quantile of |N(0,1)|. */
	private static final double Z90 = 1.6448536269514722;

	/** E[|n| | |n| ≤ z90] for n ~ N(0,1). */
	private static final double TRIMMED_HALF_NORMAL_MEAN = Math.sqrt(2 / Math.PI) * (1 - Math.exp(-Z90 * Z90 / 2))
			/ 0.9;

	/** 0.6745 = Φ⁻¹(0.75): median |n| of a standard normal. */
	private static final double MEDIAN_ABSOLUTE_NORMAL = 0.6744897501960817;

	private static final int MIN_BACKGROUND_PIXELS = 32;

	private static final int MIN_BACKGROUND_ZERO_NEIGHBOURS = 4;

	private static final int MIN_UNCLIPPED_BLOCKS = 16;

	private NoiseLevelEstimator() {
	}

	/**
	 * @param pixels the image on the 0–255 scale, planar (channel, row, column)
	 * @param channels channels
	 * @param height rows
	 * @param width columns
	 * @return the estimated noise standard deviation on the 0–255 scale, ≥ 0
	 */
	public static double estimate(float[] pixels, int channels, int height, int width) {
		if (channels < 1 || height < 2 || width < 2 || pixels.length != channels * height * width) {
			throw new IllegalArgumentException("A " + channels + "×" + height + "×" + width
					+ " image (at least 2×2) needs as many pixels, got " + pixels.length);
		}
		double[] background = backgroundValues(pixels, channels, height, width);
		if (background.length < MIN_BACKGROUND_PIXELS) {
			return textbook(pixels, channels, height, width);
		}
		double[] positive = Arrays.stream(background).filter((v) -> v >= 0.5).sorted().toArray();
		if (positive.length < Math.max(10, 0.25 * background.length)) {
			return 0;
		}
		double cut = quantile(positive, 0.9);
		double sum = 0;
		int kept = 0;
		for (double value : positive) {
			if (value <= cut) {
				sum += value;
				kept++;
			}
		}
		return (sum / kept) / TRIMMED_HALF_NORMAL_MEAN / CALIBRATION;
	}

	private static double[] backgroundValues(float[] pixels, int channels, int height, int width) {
		double[] values = new double[pixels.length];
		int count = 0;
		for (int c = 0; c < channels; c++) {
			int plane = c * height * width;
			for (int row = 0; row < height; row++) {
				for (int col = 0; col < width; col++) {
					if (zeroNeighbours(pixels, plane, height, width, row, col) >= MIN_BACKGROUND_ZERO_NEIGHBOURS) {
						values[count++] = pixels[plane + row * width + col];
					}
				}
			}
		}
		return Arrays.copyOf(values, count);
	}

	private static int zeroNeighbours(float[] pixels, int plane, int height, int width, int row, int col) {
		int zeros = 0;
		for (int dy = -1; dy <= 1; dy++) {
			for (int dx = -1; dx <= 1; dx++) {
				int r = row + dy;
				int c = col + dx;
				if ((dy != 0 || dx != 0) && r >= 0 && r < height && c >= 0 && c < width
						&& pixels[plane + r * width + c] < 0.5f) {
					zeros++;
				}
			}
		}
		return zeros;
	}

	/**
	 * Donoho and Johnstone's median absolute deviation of the finest diagonal Haar band,
	 * over non-overlapping 2×2 blocks, preferring blocks with no clipped pixel.
	 */
	private static double textbook(float[] pixels, int channels, int height, int width) {
		int blocks = channels * (height / 2) * (width / 2);
		double[] unclipped = new double[blocks];
		double[] all = new double[blocks];
		int unclippedCount = 0;
		int allCount = 0;
		for (int c = 0; c < channels; c++) {
			int plane = c * height * width;
			for (int row = 0; row + 1 < height; row += 2) {
				for (int col = 0; col + 1 < width; col += 2) {
					float a = pixels[plane + row * width + col];
					float b = pixels[plane + row * width + col + 1];
					float d = pixels[plane + (row + 1) * width + col];
					float e = pixels[plane + (row + 1) * width + col + 1];
					double hh = Math.abs((a - b - d + e) / 2.0);
					all[allCount++] = hh;
					if (Math.min(Math.min(a, b), Math.min(d, e)) >= 0.5f
							&& Math.max(Math.max(a, b), Math.max(d, e)) <= 254.5f) {
						unclipped[unclippedCount++] = hh;
					}
				}
			}
		}
		double[] band = (unclippedCount >= MIN_UNCLIPPED_BLOCKS) ? Arrays.copyOf(unclipped, unclippedCount)
				: Arrays.copyOf(all, allCount);
		Arrays.sort(band);
		return quantile(band, 0.5) / MEDIAN_ABSOLUTE_NORMAL;
	}

	/** The q-quantile of sorted values with linear interpolation (numpy's default). */
	private static double quantile(double[] sorted, double q) {
		double position = q * (sorted.length - 1);
		int below = (int) Math.floor(position);
		int above = Math.min(below + 1, sorted.length - 1);
		return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
	}

}
