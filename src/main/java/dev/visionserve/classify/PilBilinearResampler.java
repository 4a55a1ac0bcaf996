package dev.visionserve.classify;

/**
 * Bilinear resizing that reproduces Pillow's {@code Image.resize(size, BILINEAR)} bit for
 * bit, which is what torchvision's {@code Resize} runs on PIL images and so what most
 * image models were trained with. Pillow antialiases: when shrinking, the triangle
 * filter's support grows with the scale factor, and it works in two separable passes
 * (horizontal, then vertical) with 22-bit fixed-point weights, rounding to 8 bits between
 * passes. A plain bilinear interpolation would differ from the training pipeline by
 * several grey levels on downscaling. Stateless and thread-safe.
 */
final class PilBilinearResampler {

	private static final int PRECISION_BITS = 32 - 8 - 2;

	private PilBilinearResampler() {
	}

	static DecodedImage resize(DecodedImage image, int width, int height) {
		DecodedImage result = image;
		if (width != image.width()) {
			result = horizontal(result, width);
		}
		if (height != image.height()) {
			result = vertical(result, height);
		}
		return result;
	}

	private static DecodedImage horizontal(DecodedImage in, int outWidth) {
		Coefficients k = Coefficients.compute(in.width(), outWidth);
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

	private static DecodedImage vertical(DecodedImage in, int outHeight) {
		Coefficients k = Coefficients.compute(in.height(), outHeight);
		int channels = in.channels();
		int stride = in.width() * channels;
		byte[] src = in.pixels();
		byte[] out = new byte[in.width() * outHeight * channels];
		for (int y = 0; y < outHeight; y++) {
			int min = k.bounds[y * 2];
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
	 * Per output pixel: the first source pixel, how many follow, and their fixed-point
	 * weights.
	 */
	private record Coefficients(int size, int[] bounds, int[] weights) {

		static Coefficients compute(int inSize, int outSize) {
			double scale = (double) inSize / outSize;
			double filterScale = Math.max(scale, 1.0);
			double support = filterScale;
			int size = (int) Math.ceil(support) * 2 + 1;
			int[] bounds = new int[outSize * 2];
			int[] weights = new int[outSize * size];
			double[] raw = new double[size];
			for (int out = 0; out < outSize; out++) {
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
					weights[out * size
							+ i] = (int) ((w < 0) ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
				}
				bounds[out * 2] = min;
				bounds[out * 2 + 1] = max;
			}
			return new Coefficients(size, bounds, weights);
		}

	}

}
