package dev.visionserve.classify;

import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.visionserve.image.PayloadTooLargeException;
import dev.visionserve.image.ImageDecoder;
import dev.visionserve.image.InvalidImageException;
import dev.visionserve.runtime.InvalidParameterException;
import dev.visionserve.runtime.ModelConfig.Preprocessing;
import dev.visionserve.runtime.ModelConfigReader;
import dev.visionserve.support.FuzzDeadline;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the bytes-to-tensor path of {@code /classify}: {@link ImageDecoder} then
 * {@link ImagePreprocessor}, with the shipped fashion-resnet's preprocessing and with an
 * RGB ImageNet-style one. Allowed outcomes: a tensor of the model's size with finite
 * values, or one of the typed client errors (400/413); any other exception, an error such
 * as {@link OutOfMemoryError}, or a hang is a finding. The seeds, one small image per
 * format and pixel layout ImageIO reads, lie in
 * {@code ImageDecodingFuzzTestsInputs/<method>/}.
 */
class ImageDecodingFuzzTests {

	/** The service's default {@code visionserve.limits.max-image-pixels}. */
	private static final long MAX_PIXELS = 16_777_216;

	private static final ImageDecoder decoder = new ImageDecoder(MAX_PIXELS);

	private static final ImagePreprocessor fashionResnet = preprocessor(Path.of("models/fashion-resnet/model.yaml"));

	private static final ImagePreprocessor imagenetStyle = preprocessor(
			Path.of("src/test/resources/config-only-models/imagenet-style/model.yaml"));

	@FuzzTest
	void fashionResnetGetsATensorOrAClientError(byte[] image) throws Exception {
		decodeAndPreprocess(image, fashionResnet, 1 * 28 * 28);
	}

	@FuzzTest
	void imagenetStyleModelGetsATensorOrAClientError(byte[] image) throws Exception {
		decodeAndPreprocess(image, imagenetStyle, 3 * 224 * 224);
	}

	private static void decodeAndPreprocess(byte[] image, ImagePreprocessor preprocessor, int values) throws Exception {
		FuzzDeadline.within(() -> {
			try {
				float[] row = preprocessor.toInputRow(decoder.decode(image, "The image"));
				assertThat(row).hasSize(values);
				for (float value : row) {
					assertThat(Float.isFinite(value)).isTrue();
				}
			}
			catch (InvalidImageException | PayloadTooLargeException | InvalidParameterException ex) {
				assertThat(ex.getMessage()).isNotBlank();
			}
			return null;
		});
	}

	private static ImagePreprocessor preprocessor(Path modelYaml) {
		try {
			Preprocessing config = new ModelConfigReader().read(modelYaml).preprocessing();
			// The default visionserve.limits.max-image-pixels.
			return new ImagePreprocessor(config, config.width(), config.height(), 16_777_216L);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
