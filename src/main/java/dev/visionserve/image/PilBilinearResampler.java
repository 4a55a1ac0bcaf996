package dev.visionserve.image;

/**
 * Bilinear resizing that reproduces Pillow's {@code Image.resize(size, BILINEAR)} bit for
 * bit, which is what torchvision's {@code Resize} runs on PIL images and so what most
 * image models were trained with. Pillow antialiases: when shrinking, the triangle
 * filter's support grows with the scale factor, and it works in two separable passes
 * (horizontal, then vertical) with 22-bit fixed-point weights, rounding to 8 bits between
 * passes. A plain bilinear interpolation would differ from the training pipeline by
 * several grey levels on downscaling. Stateless and thread-safe.
 */
public final class PilBilinearResampler {

	private static final int PRECISION_BITS = 32 - 8 - 2;

	private PilBilinearResampler() {
	}

	public static DecodedImage resize(DecodedImage image, int width, int height) {
		return resizeRegion(image, width, height, 0, 0, width, height);
	}

	/**
	 * Computes only the window {@code [x, x + w) × [y, y + h)} of the image resized to
	 * {@code width × height}: bit for bit what cropping the full result would give, as
	 * each output pixel depends only on its own coefficients. The work is proportional to
	 * the window, not to the full result, which for an extreme aspect ratio can be
	 * hundreds of millions of pixels. Pillow's resampler restricts the first pass the
	 * same way, to the source rows the second pass reads.
	 */
	public static DecodedImage resizeRegion(DecodedImage image, int width, int height, int x, int y, int w, int h) {
		Coefficients vertical = (height != image.height()) ? Coefficients.compute(image.height(), height, y, h) : null;
		int firstRow = (vertical != null) ? vertical.firstSource() : y;
		int endRow = (vertical != null) ? vertical.endSource() : y + h;
		DecodedImage rows = (firstRow == 0 && endRow == image.height()) ? image
				: image.crop(0, firstRow, image.width(), endRow - firstRow);
		DecodedImage result = (width != image.width())
				? horizontal(rows, Coefficients.compute(image.width(), width, x, w))
				: (x == 0 && w == image.width()) ? rows : rows.crop(x, 0, w, rows.height());
		if (vertical != null) {
			result = vertical(result, vertical, firstRow);
		}
		return result;
	}

	private static DecodedImage horizontal(DecodedImage in, Coefficients k) {
		int outWidth = k.outCount();
		int channels = in.channels();
		byte[] src = in.pixels();
		byte[] out = new byte[outWidth * in.height() * channels];
		for (int y = 0; y < in.height(); y++) {
			int rowStart = y * in.width() * channels;
			for (int x = 0; x < outWidth; x++) {
				int min = k.bounds[x * 2];
				int count = k.bounds[x * 2 + 1];
				int weights = x * k.size;
				for (int c = 0; c < channels; c++) {
					int sum = 1 << (PRECISION_BITS - 1);
					for (int i = 0; i < count; i++) {
						sum += (src[rowStart + (min + i) * channels + c] & 0xFF) * k.weights[weights + i];
					}
					out[(y * outWidth + x) * channels + c] = clip8(sum);
				}
			}
		}
		return new DecodedImage(outWidth, in.height(), channels, out);
	}

	/**
	 * @param firstRow the source row that {@code in}'s first row is (the rows above were
	 * not needed)
	 */
	private static DecodedImage vertical(DecodedImage in, Coefficients k, int firstRow) {
		int outHeight = k.outCount();
		int channels = in.channels();
		int stride = in.width() * channels;
		byte[] src = in.pixels();
		byte[] out = new byte[in.width() * outHeight * channels];
		for (int y = 0; y < outHeight; y++) {
			int min = k.bounds[y * 2] - firstRow;
			int count = k.bounds[y * 2 + 1];
			int weights = y * k.size;
			for (int x = 0; x < stride; x++) {
				int sum = 1 << (PRECISION_BITS - 1);
				for (int i = 0; i < count; i++) {
					sum += (src[(min + i) * stride + x] & 0xFF) * k.weights[weights + i];
				}
				out[y * stride + x] = clip8(sum);
			}
		}
		return new DecodedImage(in.width(), outHeight, channels, out);
	}

	private static byte clip8(int value) {
		if (value >= (1 << PRECISION_BITS << 8)) {
			return (byte) 255;
		}
		if (value <= 0) {
			return 0;
		}
		return (byte) (value >> PRECISION_BITS);
	}

	private static double triangle(double x) {
		double distance = Math.abs(x);
		return (distance < 1.0) ? 1.0 - distance : 0.0;
	}

	/**
	 * Per output pixel of the window: the first source pixel, how many follow, and their
	 * fixed-point weights.
	 */
	private record Coefficients(int size, int[] bounds, int[] weights) {

		/**
		 * @param first the first output pixel of the window
		 * @param count the output pixels of the window
		 */
		static Coefficients compute(int inSize, int outSize, int first, int count) {
			double scale = (double) inSize / outSize;
			double filterScale = Math.max(scale, 1.0);
			double support = filterScale;
			int size = (int) Math.ceil(support) * 2 + 1;
			int[] bounds = new int[count * 2];
			int[] weights = new int[count * size];
			double[] raw = new double[size];
			for (int index = 0; index < count; index++) {
				int out = first + index;
				double center = (out + 0.5) * scale;
				int min = Math.max((int) (center - support + 0.5), 0);
				int max = Math.min((int) (center + support + 0.5), inSize) - min;
				double total = 0.0;
				double inverseScale = 1.0 / filterScale;
				for (int i = 0; i < max; i++) {
					raw[i] = triangle((i + min - center + 0.5) * inverseScale);
					total += raw[i];
				}
				for (int i = 0; i < max; i++) {
					double w = (total != 0.0) ? raw[i] / total : raw[i];
					weights[index * size
							+ i] = (int) ((w < 0) ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
				}
				bounds[index * 2] = min;
				bounds[index * 2 + 1] = max;
			}
			return new Coefficients(size, bounds, weights);
		}

		int outCount() {
			return this.bounds.length / 2;
		}

		/** The first source pixel any output pixel of the window reads. */
		int firstSource() {
			int first = Integer.MAX_VALUE;
			for (int i = 0; i < this.bounds.length; i += 2) {
				first = Math.min(first, this.bounds[i]);
			}
			return (first == Integer.MAX_VALUE) ? 0 : first;
		}

		/** One past the last source pixel any output pixel of the window reads. */
		int endSource() {
			int end = 0;
			for (int i = 0; i < this.bounds.length; i += 2) {
				end = Math.max(end, this.bounds[i] + this.bounds[i + 1]);
			}
			return Math.max(end, firstSource());
		}

	}

}
