package dev.visionserve.web;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.Metrics;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client's own deadline ({@code Request-Timeout} / {@code X-Request-Timeout}, seconds)
 * on the shipped models: work past it is dropped, never computed (the metrics of the
 * model runs do not move), a generation is cut off at it, and a malformed value is a 400
 * naming the header.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RequestTimeoutIntegrationTests extends ServerIntegrationTests {

	/** One microsecond: gone before any request reaches a model. */
	private static final String ALREADY_LATE = "0.000001";

	@Test
	void dropsAClassificationPastItsDeadlineWithoutComputingIt() throws Exception {
		byte[] png = FashionMnistImages.load().get(0).png();
		String before = scrape();

		HttpResponse<String> late = this.http.postMultipart("/classify", List.of(png), "Request-Timeout", ALREADY_LATE);

		assertThat(late.statusCode()).as(late.body()).isEqualTo(503);
		assertThat(HttpTestClient.json(late).get("code").asString()).isEqualTo("DEADLINE_EXCEEDED");
		String after = scrape();
		assertThat(runs(after, "fashion-resnet")).isEqualTo(runs(before, "fashion-resnet"));
		assertThat(Metrics.value(after, "visionserve_rejected_total", "model=\"fashion-resnet\"",
				"reason=\"deadline_exceeded\""))
			.isEqualTo(Metrics.value(before, "visionserve_rejected_total", "model=\"fashion-resnet\"",
					"reason=\"deadline_exceeded\"") + 1);

		HttpResponse<String> inTime = this.http.postMultipart("/classify", List.of(png), "X-Request-Timeout", "5");
		assertThat(inTime.statusCode()).as(inTime.body()).isEqualTo(200);
		assertThat(runs(scrape(), "fashion-resnet")).isEqualTo(runs(after, "fashion-resnet") + 1);
	}

	@Test
	void dropsAGenerationPastItsDeadlineWithoutComputingIt() {
		String before = scrape();

		HttpResponse<String> late = this.http.postJson("/generate", "{\"label\":\"Bag\",\"steps\":5,\"seed\":1}",
				"X-Request-Timeout", ALREADY_LATE);

		assertThat(late.statusCode()).as(late.body()).isEqualTo(503);
		assertThat(HttpTestClient.json(late).get("code").asString()).isEqualTo("DEADLINE_EXCEEDED");
		String after = scrape();
		assertThat(runs(after, "fashion-ddpm")).isEqualTo(runs(before, "fashion-ddpm"));
		assertThat(steps(after)).isEqualTo(steps(before));
		assertThat(deadlineCancellations(after)).isEqualTo(deadlineCancellations(before) + 1);
	}

	@Test
	void cutsAGenerationOffAtTheClientsDeadline() {
		String before = scrape();
		Instant start = Instant.now();

		// 1,000 steps take tens of seconds here; the client waits half a second.
		HttpResponse<String> late = this.http.postJson("/generate", "{\"label\":\"Bag\",\"steps\":1000,\"seed\":1}",
				"Request-Timeout", "0.5");

		Duration took = Duration.between(start, Instant.now());
		assertThat(late.statusCode()).as(late.body()).isEqualTo(503);
		assertThat(HttpTestClient.json(late).get("code").asString()).isEqualTo("DEADLINE_EXCEEDED");
		assertThat(took).isLessThan(Duration.ofSeconds(10));
		String after = scrape();
		assertThat(steps(after) - steps(before)).isLessThan(1000);
		assertThat(deadlineCancellations(after)).isEqualTo(deadlineCancellations(before) + 1);
		assertThat(this.http.postJson("/generate", "{\"label\":\"Bag\",\"steps\":3}", "Request-Timeout", "60")
			.statusCode()).isEqualTo(200);
	}

	@ParameterizedTest
	@ValueSource(strings = { "soon", "-1", "0", "0.0", "1e2", "NaN" })
	void refusesAMalformedTimeoutNamingTheHeader(String value) throws Exception {
		byte[] png = FashionMnistImages.load().get(0).png();
		assertInvalid(this.http.postMultipart("/classify", List.of(png), "Request-Timeout", value), "Request-Timeout",
				value);
		assertInvalid(this.http.postJson("/generate", "{\"steps\":3}", "X-Request-Timeout", value), "X-Request-Timeout",
				value);
	}

	private static void assertInvalid(HttpResponse<String> response, String header, String value) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		JsonNode problem = HttpTestClient.json(response);
		assertThat(problem.get("code").asString()).isEqualTo("INVALID_PARAMETER");
		assertThat(problem.get("detail").asString()).contains("'" + header + "'").contains("'" + value + "'");
	}

	private String scrape() {
		return this.http.get("/actuator/prometheus").body();
	}

	private static double runs(String exposition, String model) {
		return Metrics.valueOrZero(exposition, "visionserve_inference_seconds_count", "model=\"" + model + "\"");
	}

	private static double steps(String exposition) {
		return Metrics.valueOrZero(exposition, "visionserve_diffusion_steps_total", "model=\"fashion-ddpm\"");
	}

	private static double deadlineCancellations(String exposition) {
		return Metrics.valueOrZero(exposition, "visionserve_diffusion_cancelled_total", "model=\"fashion-ddpm\"",
				"reason=\"deadline_exceeded\"");
	}

}
