package dev.visionserve.classify;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.visionserve.image.DecodedImage;
import dev.visionserve.image.PilBilinearResampler;
import dev.visionserve.image.InvalidImageException;
import dev.visionserve.runtime.ModelConfig.ColorMode;
import dev.visionserve.runtime.ModelConfig.Invert;
import dev.visionserve.runtime.ModelConfig.Preprocessing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Resizing then center-cropping computes only the crop window, so an image inside the
 * pixel limit but with an absurd aspect ratio costs what the model needs, and the window
 * is bit for bit the crop of the full resize.
 */
class ImagePreprocessorAspectRatioTests {

	private static final int LIMIT = 16_777_216;

	/** The shipped classifier's preprocessing: shorter side to 28, middle 28 × 28. */
	private static final Preprocessing FASHION = new Preprocessing(28, 28, ColorMode.GRAYSCALE, 28, 28, null,
			List.of(0.2860), List.of(0.3530), Invert.AUTO);

	@Test
	void preprocessesAWideLineAtThePixelLimitQuickly() {
		DecodedImage line = random(LIMIT, 1, 1, 1);
		float[] row = assertTimeoutPreemptively(Duration.ofSeconds(5),
				() -> new ImagePreprocessor(FASHION, 28, 28, LIMIT).toInputRow(line));
		assertThat(row).hasSize(28 * 28);
	}

	@Test
	void preprocessesATallLineAtThePixelLimitQuickly() {
		DecodedImage line = random(1, LIMIT, 1, 2);
		float[] row = assertTimeoutPreemptively(Duration.ofSeconds(5),
				() -> new ImagePreprocessor(FASHION, 28, 28, LIMIT).toInputRow(line));
		assertThat(row).hasSize(28 * 28);
	}

	@ParameterizedTest(name = "{0}x{1}x{2} resized to {3}, cropped to {4}")
	@CsvSource({ "5000, 3, 1, 28, 28", "3, 5000, 3, 28, 28", "640, 480, 3, 256, 224", "481, 640, 1, 28, 28",
			"20, 20, 1, 28, 28", "100, 7, 3, 24, 28", "7, 100, 1, 32, 20", "28, 28, 1, 28, 28", "1, 1, 3, 28, 28",
			"1000, 999, 1, 5, 3" })
	void windowIsTheCropOfTheFullResize(int width, int height, int channels, int resize, int crop) {
		DecodedImage image = random(width, height, channels, width * 31 + height);
		Preprocessing config = new Preprocessing(crop, crop, (channels == 1) ? ColorMode.GRAYSCALE : ColorMode.RGB,
				resize, crop, null, null, null, Invert.NEVER);
		float[] windowed = new ImagePreprocessor(config, crop, crop, LIMIT).toInputRow(image);
		float[] full = new ImagePreprocessor(
				new Preprocessing(crop, crop, config.colorMode(), null, null, null, null, null, Invert.NEVER), crop,
				crop, LIMIT)
			.toInputRow(fullResizeThenCrop(image, resize, crop));
		assertThat(windowed).containsExactly(full);
	}

	@Test
	void refusesAnExtremeAspectRatioWhenTheModelResizesWithoutCropping() {
		Preprocessing resizeOnly = new Preprocessing(28, 28, ColorMode.GRAYSCALE, 28, null, null, null, null,
				Invert.NEVER);
		DecodedImage line = random(LIMIT, 1, 1, 3);
		assertThatExceptionOfType(InvalidImageException.class)
			.isThrownBy(() -> new ImagePreprocessor(resizeOnly, 28, 28, LIMIT).toInputRow(line))
			.withMessageContaining("aspect ratio")
			.withMessageContaining("limit of " + LIMIT);
	}

	/** What torchvision does: the whole resized image, then the crop (zero padded). */
	private static DecodedImage fullResizeThenCrop(DecodedImage image, int size, int crop) {
		int shorter = Math.min(image.width(), image.height());
		int longer = Math.max(image.width(), image.height());
		int newLonger = (int) ((double) ((long) size * longer) / shorter);
		boolean portrait = image.width() <= image.height();
		DecodedImage resized = PilBilinearResampler.resize(image, portrait ? size : newLonger,
				portrait ? newLonger : size);
		int left = offset(resized.width(), crop);
		int top = offset(resized.height(), crop);
		return resized.crop(left, top, crop, crop);
	}

	private static int offset(int size, int crop) {
		return (crop > size) ? -((crop - size) / 2) : (int) Math.rint((size - crop) / 2.0);
	}

	private static DecodedImage random(int width, int height, int channels, long seed) {
		byte[] pixels = new byte[width * height * channels];
		new Random(seed).nextBytes(pixels);
		return new DecodedImage(width, height, channels, pixels);
	}

}
