package dev.visionserve.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class ImageDecoderTests {

	private final ImageDecoder decoder = new ImageDecoder(10_000_000);

	@Test
	void decodesInMemoryWithoutATemporaryFilePerImage(@TempDir Path cache) throws IOException {
		byte[] png = encode(gradient(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png");
		// ImageIO's file cache would need this folder for every stream it opens.
		ImageIO.setCacheDirectory(cache.toFile());
		Files.delete(cache);
		try {
			assertThat(this.decoder.decode(png, "The image").width()).isEqualTo(8);
		}
		finally {
			ImageIO.setCacheDirectory(null);
		}
	}

	@Test
	void refusesAnEmptyBody() {
		assertThatThrownBy(() -> this.decoder.decode(new byte[0], "The image"))
			.isInstanceOf(InvalidImageException.class)
			.hasMessage("The image is empty");
	}

	@Test
	void refusesBytesThatAreNoImage() {
		assertThatThrownBy(() -> this.decoder.decode("hello, world".getBytes(), "Image 2"))
			.isInstanceOf(InvalidImageException.class)
			.hasMessageContaining("Image 2 is not an image");
	}

	@Test
	void refusesATruncatedPng() throws IOException {
		byte[] png = encode(gradient(64, 64, BufferedImage.TYPE_INT_RGB), "png");
		byte[] truncated = Arrays.copyOf(png, png.length / 2);
		assertThatThrownBy(() -> this.decoder.decode(truncated, "The image")).isInstanceOf(InvalidImageException.class);
	}

	@Test
	void refusesATruncatedJpegInsteadOfReturningItHalfGrey() throws IOException {
		byte[] jpeg = encode(gradient(64, 64, BufferedImage.TYPE_INT_RGB), "jpg");
		byte[] truncated = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);
		assertThatThrownBy(() -> this.decoder.decode(truncated, "The image")).isInstanceOf(InvalidImageException.class);
	}

	@Test
	void refusesAHugeDeclaredSizeBeforeDecodingIt() {
		byte[] bomb = pngHeaderOnly(100_000, 100_000);
		assertThatThrownBy(() -> this.decoder.decode(bomb, "The image")).isInstanceOf(PayloadTooLargeException.class)
			.hasMessageContaining("100000x100000");
	}

	@Test
	void keepsGrayscaleValuesExactlyWithoutGammaConversion() throws IOException {
		BufferedImage gray = new BufferedImage(16, 1, BufferedImage.TYPE_BYTE_GRAY);
		for (int x = 0; x < 16; x++) {
			gray.getRaster().setSample(x, 0, 0, x * 17);
		}
		DecodedImage decoded = this.decoder.decode(encode(gray, "png"), "The image");
		assertThat(decoded.channels()).isEqualTo(1);
		for (int x = 0; x < 16; x++) {
			assertThat(decoded.at(x, 0, 0)).isEqualTo(x * 17);
		}
	}

	@Test
	void dropsAlphaAsPilDoes() throws IOException {
		BufferedImage rgba = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
		rgba.setRGB(0, 0, 0x00102030);
		rgba.setRGB(1, 0, 0xFF405060);
		DecodedImage decoded = this.decoder.decode(encode(rgba, "png"), "The image");
		assertThat(decoded.channels()).isEqualTo(3);
		assertThat(new int[] { decoded.at(0, 0, 0), decoded.at(0, 0, 1), decoded.at(0, 0, 2) }).containsExactly(0x10,
				0x20, 0x30);
		assertThat(new int[] { decoded.at(1, 0, 0), decoded.at(1, 0, 1), decoded.at(1, 0, 2) }).containsExactly(0x40,
				0x50, 0x60);
	}

	@ParameterizedTest
	@ValueSource(strings = { "png", "bmp", "gif", "jpg" })
	void decodesTheCommonFormats(String format) throws IOException {
		DecodedImage decoded = this.decoder.decode(encode(gradient(40, 30, BufferedImage.TYPE_INT_RGB), format),
				"The image");
		assertThat(decoded.width()).isEqualTo(40);
		assertThat(decoded.height()).isEqualTo(30);
	}

	static BufferedImage gradient(int width, int height, int type) {
		BufferedImage image = new BufferedImage(width, height, type);
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				image.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | 128);
			}
		}
		return image;
	}

	static byte[] encode(BufferedImage image, String format) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		assertThat(ImageIO.write(image, format, out)).isTrue();
		return out.toByteArray();
	}

	/**
	 * A PNG signature and a valid IHDR chunk declaring the given size, with no pixel data
	 * after it.
	 */
	public static byte[] pngHeaderOnly(int width, int height) {
		ByteBuffer ihdr = ByteBuffer.allocate(17);
		ihdr.put("IHDR".getBytes())
			.putInt(width)
			.putInt(height)
			.put((byte) 8)
			.put((byte) 2)
			.put((byte) 0)
			.put((byte) 0)
			.put((byte) 0);
		CRC32 crc = new CRC32();
		crc.update(ihdr.array());
		ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
		png.put(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' });
		png.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
		return png.array();
	}

}
