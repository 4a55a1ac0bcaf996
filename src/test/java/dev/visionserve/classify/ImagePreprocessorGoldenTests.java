package dev.visionserve.classify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.visionserve.image.ImageDecoder;
import dev.visionserve.image.DecodedImage;
import dev.visionserve.runtime.ModelConfig;
import dev.visionserve.runtime.ModelConfig.ColorMode;
import dev.visionserve.runtime.ModelConfig.Preprocessing;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares the Java preprocessing element-wise with torchvision's transforms on the same
 * PNGs (fixtures made by {@code models/training/make_preprocessing_fixtures.py}).
 */
class ImagePreprocessorGoldenTests {

	/**
	 * Float32 rounding of (x·scale − mean) / std against torch's x / 255 − mean) / std: a
	 * few ulps.
	 */
	private static final float TOLERANCE = 1e-5f;

	static Stream<JsonNode> cases() throws IOException {
		try (InputStream in = resource("cases.json")) {
			JsonNode root = JsonMapper.builder().build().readTree(in);
			List<JsonNode> cases = new ArrayList<>();
			root.get("cases").forEach(cases::add);
			return cases.stream();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("cases")
	void matchesTorchvisionElementWise(JsonNode testCase) throws IOException {
		JsonNode config = testCase.get("preprocessing");
		Preprocessing preprocessing = new Preprocessing(config.get("width").asInt(), config.get("height").asInt(),
				ColorMode.valueOf(config.get("colorMode").asString().toUpperCase()), config.get("resize").asInt(),
				config.get("centerCrop").asInt(), null, doubles(config.get("mean")), doubles(config.get("std")),
				ModelConfig.Invert.NEVER);
		byte[] png;
		try (InputStream in = resource(testCase.get("image").asString())) {
			png = in.readAllBytes();
		}
		DecodedImage image = new ImageDecoder(100_000_000).decode(png, "fixture");
		float[] actual = new ImagePreprocessor(preprocessing, preprocessing.width(), preprocessing.height(),
				Long.MAX_VALUE)
			.toInputRow(image);
		float[] expected = expected(testCase.get("name").asString() + ".f32");
		assertThat(actual).hasSameSizeAs(expected);
		for (int i = 0; i < expected.length; i++) {
			float difference = Math.abs(actual[i] - expected[i]);
			if (difference > TOLERANCE) {
				throw new AssertionError("element " + i + " of " + testCase.get("name").asString() + ": expected "
						+ expected[i] + ", got " + actual[i]);
			}
		}
	}

	private static List<Double> doubles(JsonNode array) {
		List<Double> values = new ArrayList<>();
		array.forEach((node) -> values.add(node.asDouble()));
		return values;
	}

	private static float[] expected(String name) throws IOException {
		try (InputStream in = resource(name)) {
			ByteBuffer bytes = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
			float[] values = new float[bytes.remaining() / Float.BYTES];
			bytes.asFloatBuffer().get(values);
			return values;
		}
	}

	private static InputStream resource(String name) {
		InputStream in = ImagePreprocessorGoldenTests.class.getResourceAsStream("/preprocessing/" + name);
		assertThat(in).as(name).isNotNull();
		return in;
	}

}
