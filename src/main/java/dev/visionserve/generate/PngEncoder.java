package dev.visionserve.generate;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Turns a model-space image (CHW floats in the model's pixel range) into PNG bytes:
 * values mapped to 0–255, rounded and clipped. The same pixels always give the same
 * bytes. Stateless and thread-safe.
 */
final class PngEncoder {

	private PngEncoder() {
	}

	static byte[] encode(float[] chw, int channels, int height, int width, double black, double white) {
		int plane = height * width;
		BufferedImage image = new BufferedImage(width, height,
				(channels == 1) ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				int i = y * width + x;
				if (channels == 1) {
					image.getRaster().setSample(x, y, 0, toByte(chw[i], black, white));
				}
				else {
					image.setRGB(x, y, toByte(chw[i], black, white) << 16 | toByte(chw[plane + i], black, white) << 8
							| toByte(chw[2 * plane + i], black, white));
				}
			}
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		// A memory-cached stream: ImageIO.write(image, "png", out) would cache the
		// encoding in a temporary file first (ImageIO's default useCache).
		try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
			ImageIO.write(image, "png", stream);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

	static int toByte(float value, double black, double white) {
		long scaled = Math.round((value - black) / (white - black) * 255.0);
		return (int) Math.max(0, Math.min(255, scaled));
	}

}
