package dev.visionserve.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
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
// Capture first, so the lines logged while the context starts (model loading) are caught.
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokenModelsIntegrationTests extends ServerIntegrationTests {

	private static final Path SHIPPED = Path.of("models/fashion-resnet");

	private static final Path REPOSITORY = createRepository();

	/** A Unix or Windows absolute path, anywhere in a message. */
	private static final Pattern ABSOLUTE_PATH = Pattern.compile("(^|[\\s'\"(])(/[A-Za-z0-9._-]+/|[A-Z]:\\\\)");

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
			copy(root.resolve("truncated-onnx"), yaml);
			byte[] onnx = Files.readAllBytes(SHIPPED.resolve("model.onnx"));
			Files.write(root.resolve("truncated-onnx").resolve("model.onnx"),
					java.util.Arrays.copyOf(onnx, onnx.length / 2));
			copy(root.resolve("yaml-syntax"), yaml + "\ndevices: [cpu\n");
			copy(root.resolve("yaml-type"), yaml.replace("maxBatchSize: 32", "maxBatchSize: [32]"));
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
		// Until the loader has listed every folder the list may be empty rather than
		// LOADING.
		while (this.http.get("/models").body().contains("\"LOADING\"")
				|| !this.http.get("/models").body().contains("\"yaml-type\"")) {
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

	/**
	 * The four ways a model folder breaks, each named with its cause in all three places
	 * an operator looks, and none of them leaking where the server keeps its files.
	 */
	// First: what a test method's capture holds is gone for the next method, and the
	// models are loaded (and logged) while the first one starts.
	@Test
	@Order(1)
	void namesEachBrokenFolderWithItsCauseInTheLogTheModelListAndHealth(CapturedOutput output)
			throws InterruptedException {
		Map<String, String> causes = Map.of("no-onnx", "model.onnx not found in the model folder", "truncated-onnx",
				"ONNX Runtime could not open model.onnx", "corrupt-onnx", "ONNX Runtime could not open model.onnx",
				"bad-yaml", "model.yaml: unknown key 'maxBatchSise' at batching.maxBatchSise", "yaml-syntax",
				"model.yaml is not valid YAML near line", "yaml-type",
				"model.yaml: the value at batching.maxBatchSize has the wrong type");
		JsonNode health = HttpTestClient.json(this.http.get("/actuator/health/readiness"))
			.get("components")
			.get("models")
			.get("details")
			.get("models");
		JsonNode listed = HttpTestClient.json(this.http.get("/models"));
		for (Map.Entry<String, String> entry : causes.entrySet()) {
			String name = entry.getKey();
			String cause = entry.getValue();
			String inHealth = reason(health, name);
			String inList = listedReason(listed, name);
			assertThat(inHealth).as(name).contains(cause).isEqualTo(inList);
			awaitLogged(output, "Model '" + name + "' failed to load: " + inHealth);
			assertThat(inHealth).as(name).doesNotContain(REPOSITORY.toString()).doesNotContainPattern(ABSOLUTE_PATH);
		}
		assertThat(output.getAll().lines().filter((line) -> line.contains("failed to load")))
			.noneMatch((line) -> line.contains(REPOSITORY.toString()));
		assertThat(causes.keySet()).allSatisfy((name) -> assertThat(listedReason(listed, name)).as(name)
			.doesNotContain("dev.visionserve")
			.doesNotContain("Exception"));
	}

	/** The status is published just before the line is logged, so the line may lag. */
	private static void awaitLogged(CapturedOutput output, String line) throws InterruptedException {
		Instant deadline = Instant.now().plusSeconds(10);
		while (!output.getAll().contains(line)) {
			assertThat(Instant.now()).as("not logged: " + line).isBefore(deadline);
			Thread.sleep(20);
		}
	}

	private static String listedReason(JsonNode listed, String name) {
		for (JsonNode model : listed.has("models") ? listed.get("models") : listed) {
			if (name.equals(model.get("name").asString())) {
				assertThat(model.get("state").asString()).as(name).isEqualTo("FAILED");
				return model.get("reason").asString();
			}
		}
		throw new AssertionError(name + " not listed in " + listed);
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
