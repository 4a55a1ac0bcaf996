package dev.visionserve.generate;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The samplers end to end through HTTP and ONNX Runtime, on "oracle" denoisers whose
 * noise prediction is exact (made by {@code models/training/make_oracle_denoisers.py}): a
 * single data point must come back exactly, and Gaussian data must come back with its
 * mean and standard deviation.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "visionserve.model-repository=src/test/resources/oracle-denoisers",
				"visionserve.default-classifier=", "visionserve.default-denoiser=point" })
class GenerateOracleIntegrationTests extends ServerIntegrationTests {

	private static final Path ORACLES = Path.of("src/test/resources/oracle-denoisers");

	@ParameterizedTest(name = "{0}, {1} steps")
	@CsvSource({ "ddim, 1", "ddim, 5", "ddim, 50", "dpmpp-2m, 1", "dpmpp-2m, 5", "dpmpp-2m, 50", "ddpm, 50",
			"euler, 50", "ddpm, 5", "euler, 5", "dpmpp-2m-karras, 5", "dpmpp-2m-karras, 100", "unipc, 5", "unipc, 50",
			"unipc-karras, 5", "unipc-karras, 100" })
	void landsOnTheSingleDataPoint(String sampler, int steps) throws Exception {
		JsonNode expected = HttpTestClient.json(Files.readString(ORACLES.resolve("point/expected-pixels.json")))
			.get("pixels");
		JsonNode generated = HttpTestClient.json(this.http.postJson("/generate", "{\"model\":\"point\",\"sampler\":\""
				+ sampler + "\",\"steps\":" + steps + ",\"seed\":11,\"count\":4}"));
		for (byte[] png : GenerateIntegrationTests.pngs(generated)) {
			BufferedImage image = GenerateIntegrationTests.decode(png);
			for (int i = 0; i < 64; i++) {
				// The exact denoiser's x̂₀ is the data point at every step, and every
				// sampler's last step lands
				// on x̂₀, so the pixels are exact up to float32 rounding far below half a
				// grey level.
				assertThat(image.getRaster().getSample(i % 8, i / 8, 0)).as("pixel " + i)
					.isEqualTo(expected.get(i).asInt());
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource({ "ddim", "ddpm", "euler", "dpmpp-2m", "dpmpp-2m-karras", "unipc", "unipc-karras" })
	void reproducesTheMeanAndStandardDeviationOfGaussianData(String sampler) throws Exception {
		JsonNode moments = HttpTestClient.json(Files.readString(ORACLES.resolve("gaussian/expected-moments.json")));
		double sum = 0;
		double sumOfSquares = 0;
		int n = 0;
		for (int request = 0; request < 8; request++) {
			JsonNode generated = HttpTestClient
				.json(this.http.postJson("/generate", "{\"model\":\"gaussian\",\"sampler\":\"" + sampler
						+ "\",\"steps\":250,\"count\":16,\"seed\":" + (1000 * request) + "}"));
			for (byte[] png : GenerateIntegrationTests.pngs(generated)) {
				BufferedImage image = GenerateIntegrationTests.decode(png);
				for (int i = 0; i < 64; i++) {
					double x = image.getRaster().getSample(i % 8, i / 8, 0) / 127.5 - 1;
					sum += x;
					sumOfSquares += x * x;
					n++;
				}
			}
		}
		double mean = sum / n;
		double std = Math.sqrt(sumOfSquares / n - mean * mean);
		System.out.printf("%s, 250 steps, %d values: mean %.4f, std %.4f (data: %.2f, %.2f)%n", sampler, n, mean, std,
				moments.get("mean").asDouble(), moments.get("std").asDouble());
		// 8,192 values: the standard error is 0.0028 for the mean and 0.002 for the std.
		// Deterministic DDIM at 250
		// steps shrinks the std to 0.2448 (exact, expected-moments.json); 0.015 covers
		// that bias plus 5 standard
		// errors, while a wrong schedule or sampler misses by far more (10 steps give
		// 0.138).
		assertThat(mean).isCloseTo(moments.get("mean").asDouble(), within(0.015));
		assertThat(std).isCloseTo(moments.get("std").asDouble(), within(0.015));
	}

}
