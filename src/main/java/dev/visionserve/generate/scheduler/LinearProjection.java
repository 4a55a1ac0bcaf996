package dev.visionserve.generate.scheduler;

/**
 * Super-resolution as a linear inverse problem y = A·x, where A averages each factor ×
 * factor block (the box downsampling that made the low-resolution image). Its
 * pseudo-inverse A⁺ repeats each pixel over its block, so A·A⁺ = I, and the null-space
 * projection of DDNM (Wang et al. 2023, eq. 8) x̂₀' = A⁺·y + (I − A⁺·A)·x̂₀ keeps what
 * the model made inside each block while making its block means exactly y. Applied to the
 * clean estimate at every step, the output is consistent with the input by construction.
 * Immutable; one per image size and factor.
 */
public final class LinearProjection {

	private final int channels;

	private final int height;

	private final int width;

	private final int factor;

	/**
	 * @param channels channels of the high-resolution image (planar, channel first)
	 * @param height its height, a multiple of {@code factor}
	 * @param width its width, a multiple of {@code factor}
	 * @param factor the downsampling factor
	 */
	public LinearProjection(int channels, int height, int width, int factor) {
		if (factor < 1 || height % factor != 0 || width % factor != 0) {
			throw new IllegalArgumentException(
					"The factor " + factor + " must divide the size " + width + "×" + height);
		}
		this.channels = channels;
		this.height = height;
		this.width = width;
		this.factor = factor;
	}

	/**
	 * @return A·x: the mean of each block
	 */
	public float[] downsample(float[] x) {
		requireLength(x, this.channels * this.height * this.width, "x");
		int lowHeight = this.height / this.factor;
		int lowWidth = this.width / this.factor;
		float[] y = new float[this.channels * lowHeight * lowWidth];
		double area = this.factor * this.factor;
		for (int c = 0; c < this.channels; c++) {
			for (int row = 0; row < lowHeight; row++) {
				for (int col = 0; col < lowWidth; col++) {
					double sum = 0;
					for (int dy = 0; dy < this.factor; dy++) {
						int base = (c * this.height + row * this.factor + dy) * this.width + col * this.factor;
						for (int dx = 0; dx < this.factor; dx++) {
							sum += x[base + dx];
						}
					}
					y[(c * lowHeight + row) * lowWidth + col] = (float) (sum / area);
				}
			}
		}
		return y;
	}

	/**
	 * @return A⁺·y: each low-resolution pixel repeated over its block
	 */
	public float[] upsample(float[] y) {
		int lowHeight = this.height / this.factor;
		int lowWidth = this.width / this.factor;
		requireLength(y, this.channels * lowHeight * lowWidth, "y");
		float[] x = new float[this.channels * this.height * this.width];
		for (int c = 0; c < this.channels; c++) {
			for (int row = 0; row < this.height; row++) {
				for (int col = 0; col < this.width; col++) {
					x[(c * this.height + row) * this.width + col] = y[(c * lowHeight + row / this.factor) * lowWidth
							+ col / this.factor];
				}
			}
		}
		return x;
	}

	/**
	 * DDNM's eq. 8: x̂₀' = x̂₀ − A⁺·(A·x̂₀ − y).
	 * @param x0Hat the model's clean estimate
	 * @param y the low-resolution image, in the same units
	 * @return the estimate with its block means replaced by y
	 */
	public float[] project(float[] x0Hat, float[] y) {
		float[] residual = downsample(x0Hat);
		requireLength(y, residual.length, "y");
		for (int i = 0; i < residual.length; i++) {
			residual[i] -= y[i];
		}
		float[] correction = upsample(residual);
		float[] projected = new float[x0Hat.length];
		for (int i = 0; i < projected.length; i++) {
			projected[i] = x0Hat[i] - correction[i];
		}
		return projected;
	}

	private static void requireLength(float[] values, int length, String name) {
		if (values.length != length) {
			throw new IllegalArgumentException(name + " has " + values.length + " elements, expected " + length);
		}
	}

}
