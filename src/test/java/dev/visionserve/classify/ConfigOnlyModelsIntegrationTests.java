package dev.visionserve.classify;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Models that were never seen by the code, served from a model.yaml alone: an
 * ImageNet-style RGB classifier (resize 256, center crop 224, ImageNet mean/std, 1000
 * labels) and a CIFAR-style 32x32 one. Their probabilities must match what torch +
 * torchvision computed on the same image (fixtures by
 * {@code models/training/make_test_models.py}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "visionserve.model-repository=src/test/resources/config-only-models",
				"visionserve.default-classifier=cifar-style", "visionserve.default-denoiser=" })
class ConfigOnlyModelsIntegrationTests extends ServerIntegrationTests {

	private static final Path MODELS = Path.of("src/test/resources/config-only-models");

	@ParameterizedTest
	@CsvSource({ "imagenet-style, 1000", "cifar-style, 10" })
	void servesTheModelFromItsConfigAloneWithTorchsProbabilities(String model, int classes) throws IOException {
		byte[] probe = Files.readAllBytes(MODELS.resolve(model).resolve("probe.png"));
		HttpResponse<String> response = this.http.postMultipart("/classify?model=" + model + "&topK=" + classes,
				List.of(probe));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode predictions = HttpTestClient.json(response).get("results").get(0).get("predictions");
		assertThat(predictions.size()).isEqualTo(classes);
		JsonNode expected = HttpTestClient.json(Files.readString(MODELS.resolve(model).resolve("expected.json")))
			.get("probabilities");
		for (JsonNode prediction : predictions) {
			int index = prediction.get("index").asInt();
			assertThat(prediction.get("probability").asDouble()).as("class " + index)
				.isCloseTo(expected.get(index).asDouble(), within(1e-5));
		}
		String labels = Files.readString(MODELS.resolve(model).resolve("labels.txt"));
		assertThat(labels).contains(predictions.get(0).get("label").asString());
	}

}
