package dev.visionserve.generate;

import java.util.List;

import dev.visionserve.image.DecodedImage;
import dev.visionserve.image.ImageDecoder;
import dev.visionserve.image.PilBilinearResampler;
import dev.visionserve.runtime.InvalidParameterException;

/**
 * Turns the uploads of the editing endpoints into the denoiser's pixel space: converted
 * to its channels, resized to its size (PIL's bilinear, as for classification) and mapped
 * to its pixel range, so an image already at the model's size and channels maps back to
 * the same 8-bit values exactly. Stateless and thread-safe.
 */
final class EditImages {

	/** Mask values from here up mean "fill". */
	private static final int MASK_THRESHOLD = 128;

	private final ImageDecoder decoder;

	EditImages(long maxPixels) {
		this.decoder = new ImageDecoder(maxPixels);
	}

	DecodedImage decode(byte[] bytes) {
		return this.decoder.decode(bytes, "image");
	}

	/**
	 * @return the image at the model's size, CHW in its pixel range
	 */
	float[] image(DecodedImage decoded, Denoiser denoiser) {
		DecodedImage image = channels(decoded, denoiser);
		if (image.width() != denoiser.width() || image.height() != denoiser.height()) {
			image = PilBilinearResampler.resize(image, denoiser.width(), denoiser.height());
		}
		return toModel(image, denoiser);
	}

	/**
	 * @return true where the mask is black (keep), at the model's size; the mask is
	 * resized as the image is, by nearest neighbour so it stays two-valued
	 * @throws InvalidParameterException when its size is not the image's
	 */
	boolean[] keep(byte[] maskBytes, DecodedImage image, Denoiser denoiser) {
		DecodedImage mask = this.decoder.decode(maskBytes, "mask").toGrayscale();
		if (mask.width() != image.width() || mask.height() != image.height()) {
			throw new InvalidParameterException("mask", "The mask is " + mask.width() + "x" + mask.height()
					+ " but the image is " + image.width() + "x" + image.height() + "; they must be the same size");
		}
		int width = denoiser.width();
		int height = denoiser.height();
		boolean[] keep = new boolean[denoiser.imageSize()];
		int fill = 0;
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				int value = mask.at(x * mask.width() / width, y * mask.height() / height, 0);
				boolean known = value < MASK_THRESHOLD;
				fill += known ? 0 : 1;
				for (int c = 0; c < denoiser.channels(); c++) {
					keep[(c * height + y) * width + x] = known;
				}
			}
		}
		if (fill == 0) {
			throw new InvalidParameterException("mask",
					"The mask has no white (fill) pixel at the model's size: there is nothing to inpaint");
		}
		return keep;
	}

	/**
	 * @return the low-resolution image, CHW in the model's pixel range, and the factor by
	 * which it divides the model's size
	 * @throws InvalidParameterException unless both sides divide the model's by the same
	 * factor of at least 2
	 */
	LowResolution lowResolution(byte[] bytes, Denoiser denoiser) {
		DecodedImage image = channels(decode(bytes), denoiser);
		int factor = denoiser.width() / image.width();
		if (factor < 2 || image.width() * factor != denoiser.width() || image.height() * factor != denoiser.height()) {
			throw new InvalidParameterException("image",
					"The image is " + image.width() + "x" + image.height() + "; super-resolution to this model's "
							+ denoiser.width() + "x" + denoiser.height() + " needs a smaller image whose sides divide "
							+ "it by the same factor, such as " + examples(denoiser));
		}
		return new LowResolution(toModel(image, denoiser), factor);
	}

	private static String examples(Denoiser denoiser) {
		StringBuilder sizes = new StringBuilder();
		for (int factor = 2; factor <= Math.min(denoiser.width(), denoiser.height()); factor++) {
			if (denoiser.width() % factor == 0 && denoiser.height() % factor == 0) {
				sizes.append(sizes.isEmpty() ? "" : ", ")
					.append(denoiser.width() / factor)
					.append('x')
					.append(denoiser.height() / factor)
					.append(" (x")
					.append(factor)
					.append(')');
			}
		}
		return sizes.toString();
	}

	private static DecodedImage channels(DecodedImage image, Denoiser denoiser) {
		return (denoiser.channels() == 1) ? image.toGrayscale() : image.toRgb();
	}

	private static float[] toModel(DecodedImage image, Denoiser denoiser) {
		List<Double> range = denoiser.diffusion().pixelRange();
		double black = range.get(0);
		double scale = (range.get(1) - black) / 255.0;
		int plane = image.width() * image.height();
		float[] chw = new float[image.channels() * plane];
		for (int c = 0; c < image.channels(); c++) {
			for (int i = 0; i < plane; i++) {
				chw[c * plane + i] = (float) (black + image.at(i % image.width(), i / image.width(), c) * scale);
			}
		}
		return chw;
	}

	/**
	 * @param pixels CHW in the model's pixel range
	 * @param factor the model's size over the image's
	 */
	record LowResolution(float[] pixels, int factor) {

	}

}
