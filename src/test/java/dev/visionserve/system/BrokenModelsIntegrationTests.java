package dev.visionserve.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A repository with one good model and many broken ones: each broken model is reported by
 * name with its reason, the good ones serve, and readiness stays DOWN so an orchestrator
 * does not route traffic to a half-configured pod.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BrokenModelsIntegrationTests extends ServerIntegrationTests {

	private static final Path SHIPPED = Path.of("models/fashion-resnet");

	private static final Path REPOSITORY = createRepository();

	@DynamicPropertySource
	static void repository(DynamicPropertyRegistry registry) {
		registry.add("visionserve.model-repository", REPOSITORY::toString);
		registry.add("visionserve.default-classifier", () -> "good");
		registry.add("visionserve.default-denoiser", () -> "");
	}

	private static Path createRepository() {
		try {
			Path root = Files.createTempDirectory("visionserve-broken-models");
			String yaml = Files.readString(SHIPPED.resolve("model.yaml"));
			copy(root.resolve("good"), yaml);
			copy(root.resolve("gpu-fallback"), yaml.replace("devices: [cpu]", "devices: [cuda:0]"));
			write(root.resolve("no-onnx"), "model.yaml", yaml);
			copy(root.resolve("bad-yaml"), yaml.replace("maxBatchSize", "maxBatchSise"));
			write(root.resolve("corrupt-onnx"), "model.yaml", yaml);
			write(root.resolve("corrupt-onnx"), "model.onnx", "this is not a protobuf");
			copy(root.resolve("label-mismatch"), yaml);
			write(root.resolve("label-mismatch"), "labels.txt", "a\nb\nc\n");
			copy(root.resolve("wrong-size"), yaml.replace("width: 28", "width: 32"));
			copy(root.resolve("unknown-kind"), yaml.replace("kind: classifier", "kind: segmenter"));
			Files.createDirectories(root.resolve("not-a-model-folder"));
			return root;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void copy(Path folder, String yaml) throws IOException {
		Files.createDirectories(folder);
		Files.copy(SHIPPED.resolve("model.onnx"), folder.resolve("model.onnx"));
		Files.copy(SHIPPED.resolve("labels.txt"), folder.resolve("labels.txt"));
		Files.writeString(folder.resolve("model.yaml"), yaml);
	}

	private static void write(Path folder, String name, String content) throws IOException {
		Files.createDirectories(folder);
		Files.writeString(folder.resolve(name), content);
	}

	@Override
	protected boolean waitsForReadiness() {
		return false;
	}

	@BeforeEach
	void awaitLoaded() throws InterruptedException {
		Instant deadline = Instant.now().plusSeconds(120);
		while (this.http.get("/models").body().contains("\"LOADING\"")) {
			assertThat(Instant.now()).as("models still loading").isBefore(deadline);
			Thread.sleep(100);
		}
	}

	@Test
	void reportsEachBrokenModelByNameWithItsReasonAndKeepsReadinessDown() {
		HttpResponse<String> readiness = this.http.get("/actuator/health/readiness");
		assertThat(readiness.statusCode()).isEqualTo(503);
		JsonNode models = HttpTestClient.json(readiness).get("components").get("models").get("details").get("models");
		assertThat(state(models, "good")).isEqualTo("READY");
		assertThat(state(models, "gpu-fallback")).isEqualTo("READY");
		assertThat(models.get("gpu-fallback").get("devices").toString()).isEqualTo("[\"cpu\",\"cpu\"]");
		assertThat(reason(models, "no-onnx")).contains("model.onnx not found");
		assertThat(reason(models, "bad-yaml")).contains("unknown key 'maxBatchSise'");
		assertThat(reason(models, "corrupt-onnx")).contains("ONNX Runtime could not open model.onnx");
		assertThat(reason(models, "label-mismatch")).contains("the labels file has 3 labels but the model scores 10");
		assertThat(reason(models, "wrong-size")).contains("preprocessing.width is 32");
		assertThat(reason(models, "unknown-kind")).contains("unknown kind 'segmenter'");
		assertThat(models.has("not-a-model-folder")).isFalse();
		assertThat(this.http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
	}

	@Test
	void servesTheGoodModelsAndAnswersForBrokenOnesWithTheReason() throws Exception {
		byte[] png = FashionMnistImages.load().get(0).png();
		assertThat(this.http.postMultipart("/classify", List.of(png)).statusCode()).isEqualTo(200);
		assertThat(this.http.postMultipart("/classify?model=gpu-fallback", List.of(png)).statusCode()).isEqualTo(200);
		HttpResponse<String> broken = this.http.postMultipart("/classify?model=corrupt-onnx", List.of(png));
		assertThat(broken.statusCode()).isEqualTo(503);
		assertThat(HttpTestClient.json(broken).get("code").asString()).isEqualTo("MODEL_NOT_READY");
		assertThat(HttpTestClient.json(broken).get("detail").asString())
			.contains("corrupt-onnx' failed to load: ONNX Runtime could not open");
		JsonNode listed = HttpTestClient.json(this.http.get("/models/bad-yaml"));
		assertThat(listed.get("state").asString()).isEqualTo("FAILED");
		assertThat(listed.get("reason").asString()).contains("maxBatchSise");
	}

	private static String state(JsonNode models, String name) {
		assertThat(models.has(name)).as(name + " in " + models).isTrue();
		return models.get(name).get("state").asString();
	}

	private static String reason(JsonNode models, String name) {
		assertThat(state(models, name)).isEqualTo("FAILED");
		return models.get(name).get("reason").asString();
	}

}
