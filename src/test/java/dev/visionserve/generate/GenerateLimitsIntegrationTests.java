package dev.visionserve.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.Metrics;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped denoiser under tight limits (a copy configured with one job at a time, 8
 * rows per tick and a 2 s deadline): a second job is refused with 429, a job that cannot
 * finish in time leaves the loop with 503, and a request that could never fit a tick is
 * refused up front.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GenerateLimitsIntegrationTests extends ServerIntegrationTests {

	private static final Path REPOSITORY = createRepository();

	@DynamicPropertySource
	static void repository(DynamicPropertyRegistry registry) {
		registry.add("visionserve.model-repository", REPOSITORY::toString);
		registry.add("visionserve.default-classifier", () -> "");
		registry.add("visionserve.default-denoiser", () -> "tight");
	}

	private static Path createRepository() {
		try {
			Path shipped = Path.of("models/fashion-ddpm");
			Path folder = Files.createDirectories(Files.createTempDirectory("visionserve-tight").resolve("tight"));
			Files.copy(shipped.resolve("model.onnx"), folder.resolve("model.onnx"));
			Files.copy(shipped.resolve("labels.txt"), folder.resolve("labels.txt"));
			String yaml = Files.readString(shipped.resolve("model.yaml"))
				.replaceAll("(?m)^batching:.*$", "batching: {maxBatchSize: 8, queueCapacity: 1, timeout: 2s}")
				.replaceAll("(?m)^instancesPerDevice:.*$", "instancesPerDevice: 1");
			Files.writeString(folder.resolve("model.yaml"), yaml);
			return folder.getParent();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Test
	void refusesASecondJobWhileFullAndDropsAJobPastItsDeadline() throws Exception {
		double cancelledBefore = cancelled();
		CompletableFuture<HttpResponse<String>> slow = CompletableFuture
			.supplyAsync(() -> this.http.postJson("/generate", "{\"label\":\"Bag\",\"steps\":1000,\"seed\":1}"));
		Instant deadline = Instant.now().plusSeconds(30);
		while (Metrics.valueOrZero(this.http.get("/actuator/prometheus").body(), "visionserve_diffusion_active_jobs",
				"model=\"tight\"") < 1) {
			assertThat(Instant.now()).as("the slow job never became active").isBefore(deadline);
			Thread.sleep(20);
		}
		HttpResponse<String> refused = this.http.postJson("/generate", "{\"label\":\"Bag\",\"steps\":5}");
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Retry-After")).isPresent();
		assertThat(HttpTestClient.json(refused).get("code").asString()).isEqualTo("QUEUE_FULL");

		HttpResponse<String> late = slow.get(60, TimeUnit.SECONDS);
		assertThat(late.statusCode()).as(late.body()).isEqualTo(503);
		JsonNode problem = HttpTestClient.json(late);
		assertThat(problem.get("code").asString()).isEqualTo("DEADLINE_EXCEEDED");
		assertThat(cancelled()).isEqualTo(cancelledBefore + 1);
		// The loop is free again.
		assertThat(this.http.postJson("/generate", "{\"label\":\"Bag\",\"steps\":3}").statusCode()).isEqualTo(200);
	}

	@Test
	void refusesARequestThatCouldNeverFitATick() {
		HttpResponse<String> response = this.http.postJson("/generate", "{\"label\":\"Bag\",\"count\":5,\"steps\":3}");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(HttpTestClient.json(response).get("detail").asString()).contains("needs 10 rows per step")
			.contains("at most 8");
		assertThat(this.http.postJson("/generate", "{\"label\":\"Bag\",\"count\":4,\"steps\":3}").statusCode())
			.isEqualTo(200);
	}

	private double cancelled() {
		return Metrics.valueOrZero(this.http.get("/actuator/prometheus").body(),
				"visionserve_diffusion_cancelled_total", "model=\"tight\"", "reason=\"deadline_exceeded\"");
	}

}
