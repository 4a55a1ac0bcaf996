package dev.visionserve.classify;

import dev.visionserve.image.DecodedImage;
import dev.visionserve.image.PilBilinearResampler;
import dev.visionserve.image.InvalidImageException;
import dev.visionserve.runtime.ModelConfig.ColorMode;
import dev.visionserve.runtime.ModelConfig.Invert;
import dev.visionserve.runtime.ModelConfig.Preprocessing;

/**
 * Turns a decoded image into one NCHW input row, following torchvision's order: color
 * conversion, resize of the shorter side, center crop, a final resize to the model's size
 * when needed, inversion, then {@code (x·scale − mean) / std}. Resizing matches Pillow's
 * bilinear filter exactly (see {@link PilBilinearResampler}), so the service feeds a
 * model what it saw in training. Immutable and thread-safe.
 */
final class ImagePreprocessor {

	/**
	 * Border brightness above which {@link Invert#AUTO} inverts: the object sits on a
	 * light background.
	 */
	private static final double LIGHT_BORDER = 127.5;

	private final Preprocessing config;

	private final int width;

	private final int height;

	private final long maxResizedPixels;

	/**
	 * @param config the model's preprocessing
	 * @param width the model's input width (from the config or the ONNX shape)
	 * @param height the model's input height
	 * @param maxResizedPixels the largest intermediate a resize without a center crop may
	 * make; an image whose aspect ratio needs more is refused
	 */
	ImagePreprocessor(Preprocessing config, int width, int height, long maxResizedPixels) {
		this.config = config;
		this.width = width;
		this.height = height;
		this.maxResizedPixels = maxResizedPixels;
	}

	int channels() {
		return this.config.colorMode().channels();
	}

	/**
	 * @return {@code channels × height × width} floats, channel-major
	 */
	float[] toInputRow(DecodedImage decoded) {
		DecodedImage image = (this.config.colorMode() == ColorMode.GRAYSCALE) ? decoded.toGrayscale() : decoded.toRgb();
		if (this.config.resize() != null && this.config.centerCrop() != null) {
			image = resizeShorterSideAndCrop(image, this.config.resize(), this.config.centerCrop());
		}
		else if (this.config.resize() != null) {
			image = resizeShorterSide(image, this.config.resize());
		}
		else if (this.config.centerCrop() != null) {
			image = centerCrop(image, this.config.centerCrop(), this.config.centerCrop());
		}
		if (image.width() != this.width || image.height() != this.height) {
			image = PilBilinearResampler.resize(image, this.width, this.height);
		}
		if (this.config.invert() == Invert.ALWAYS
				|| (this.config.invert() == Invert.AUTO && image.borderMean() > LIGHT_BORDER)) {
			image = image.inverted();
		}
		return normalize(image);
	}

	/**
	 * As torchvision's {@code Resize(int)}: the shorter side becomes {@code size}, the
	 * longer one is truncated.
	 */
	private DecodedImage resizeShorterSide(DecodedImage image, int size) {
		int[] resized = shorterSideSize(image, size);
		if ((long) resized[0] * resized[1] > this.maxResizedPixels) {
			throw new InvalidImageException("The image's aspect ratio " + image.width() + ":" + image.height()
					+ " is too extreme: resizing its shorter side to " + size + " would make " + resized[0] + "x"
					+ resized[1] + " pixels, more than the limit of " + this.maxResizedPixels);
		}
		return PilBilinearResampler.resize(image, resized[0], resized[1]);
	}

	/**
	 * {@code Resize(int)} then {@code CenterCrop}, computing only the pixels the crop
	 * keeps: the same bits as doing both in turn, but a 16,777,216 × 1 image costs a 28 ×
	 * 28 window instead of a 469,762,048 × 28 intermediate.
	 */
	private static DecodedImage resizeShorterSideAndCrop(DecodedImage image, int size, int crop) {
		int[] resized = shorterSideSize(image, size);
		int left = cropOffset(resized[0], crop);
		int top = cropOffset(resized[1], crop);
		// The part of the crop window inside the resized image; the rest is zero padding.
		int x0 = Math.max(0, left);
		int y0 = Math.max(0, top);
		int x1 = Math.min(resized[0], left + crop);
		int y1 = Math.min(resized[1], top + crop);
		DecodedImage window = PilBilinearResampler.resizeRegion(image, resized[0], resized[1], x0, y0, x1 - x0,
				y1 - y0);
		return window.crop(left - x0, top - y0, crop, crop);
	}

	/**
	 * @return width and height after resizing the shorter side to {@code size}
	 */
	private static int[] shorterSideSize(DecodedImage image, int size) {
		int shorter = Math.min(image.width(), image.height());
		int longer = Math.max(image.width(), image.height());
		long newLonger = (long) ((double) ((long) size * longer) / shorter);
		// Only a resize without a crop could need more; it is refused by its caller.
		int clamped = (int) Math.min(newLonger, Integer.MAX_VALUE);
		boolean portrait = image.width() <= image.height();
		return new int[] { portrait ? size : clamped, portrait ? clamped : size };
	}

	/**
	 * As torchvision's {@code CenterCrop}: offsets rounded half to even, zero padding
	 * when the crop is larger.
	 */
	private static DecodedImage centerCrop(DecodedImage image, int cropWidth, int cropHeight) {
		int left = cropOffset(image.width(), cropWidth);
		int top = cropOffset(image.height(), cropHeight);
		return image.crop(left, top, cropWidth, cropHeight);
	}

	private static int cropOffset(int size, int crop) {
		if (crop > size) {
			return -((crop - size) / 2);
		}
		return (int) Math.rint((size - crop) / 2.0);
	}

	private float[] normalize(DecodedImage image) {
		int channels = image.channels();
		int plane = image.width() * image.height();
		float[] row = new float[channels * plane];
		float scale = this.config.scale().floatValue();
		byte[] pixels = image.pixels();
		for (int c = 0; c < channels; c++) {
			float mean = this.config.meanOf(c);
			float std = this.config.stdOf(c);
			for (int i = 0; i < plane; i++) {
				row[c * plane + i] = ((pixels[i * channels + c] & 0xFF) * scale - mean) / std;
			}
		}
		return row;
	}

}
