package dev.visionserve.classify;

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

	/**
	 * @param config the model's preprocessing
	 * @param width the model's input width (from the config or the ONNX shape)
	 * @param height the model's input height
	 */
	ImagePreprocessor(Preprocessing config, int width, int height) {
		this.config = config;
		this.width = width;
		this.height = height;
	}

	int channels() {
		return this.config.colorMode().channels();
	}

	/**
	 * @return {@code channels × height × width} floats, channel-major
	 */
	float[] toInputRow(DecodedImage decoded) {
		DecodedImage image = (this.config.colorMode() == ColorMode.GRAYSCALE) ? decoded.toGrayscale() : decoded.toRgb();
		if (this.config.resize() != null) {
			image = resizeShorterSide(image, this.config.resize());
		}
		if (this.config.centerCrop() != null) {
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
	private static DecodedImage resizeShorterSide(DecodedImage image, int size) {
		int shorter = Math.min(image.width(), image.height());
		int longer = Math.max(image.width(), image.height());
		int newLonger = (int) ((double) ((long) size * longer) / shorter);
		boolean portrait = image.width() <= image.height();
		return PilBilinearResampler.resize(image, portrait ? size : newLonger, portrait ? newLonger : size);
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
