package dev.visionserve.classify;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.Metrics;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model whose session run throws inside ONNX Runtime for some batches (the fixture of
 * models/training/make_failing_classifier.py fails every batch with an even number of
 * rows): the request of that batch gets a bare 500 with a reference id that leads to the
 * log, the failure is counted, and the batcher's only worker goes on serving.
 */
// Capture first, so the lines logged while the context starts (model loading) are caught.
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FailingRunIntegrationTests extends ServerIntegrationTests {

	private static final String MODEL = "even-batch-fails";

	private static final Pattern REFERENCE = Pattern.compile("reference ([0-9a-f-]{36})");

	@DynamicPropertySource
	static void repository(DynamicPropertyRegistry registry) {
		registry.add("visionserve.model-repository", () -> "src/test/resources/failing-models");
		registry.add("visionserve.default-classifier", () -> MODEL);
		registry.add("visionserve.default-denoiser", () -> "");
	}

	@Test
	void failsOnlyTheFailingBatchWithAReferenceAndKeepsServing(CapturedOutput output) throws Exception {
		byte[] png = FashionMnistImages.load().get(0).png();
		double failuresBefore = failures();

		HttpResponse<String> failed = this.http.postMultipart("/classify", List.of(png, png));

		assertThat(failed.statusCode()).isEqualTo(500);
		assertThat(failed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		JsonNode problem = HttpTestClient.json(failed);
		assertThat(problem.get("code").asString()).isEqualTo("INTERNAL");
		Matcher reference = REFERENCE.matcher(problem.get("detail").asString());
		assertThat(reference.find()).as(failed.body()).isTrue();
		assertThat(failed.body()).doesNotContainIgnoringCase("ort")
			.doesNotContain("Exception")
			.doesNotContain("Reshape")
			.doesNotContain("dev.visionserve")
			.doesNotContain(".onnx");
		assertThat(output.getAll()).contains("(reference " + reference.group(1) + ")");
		assertThat(failures()).isEqualTo(failuresBefore + 1);

		// The one worker survived: the next batches (odd sizes) are computed.
		HttpResponse<String> one = this.http.postMultipart("/classify", List.of(png));
		assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
		assertThat(HttpTestClient.json(one).get("results").size()).isEqualTo(1);
		HttpResponse<String> three = this.http.postMultipart("/classify", List.of(png, png, png));
		assertThat(three.statusCode()).as(three.body()).isEqualTo(200);
		assertThat(HttpTestClient.json(three).get("results").size()).isEqualTo(3);
		assertThat(failures()).isEqualTo(failuresBefore + 1);

		// And a failing batch again fails alone, counted again.
		assertThat(this.http.postMultipart("/classify", List.of(png, png)).statusCode()).isEqualTo(500);
		assertThat(failures()).isEqualTo(failuresBefore + 2);
		assertThat(this.http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
	}

	private double failures() {
		return Metrics.value(this.http.get("/actuator/prometheus").body(), "visionserve_inference_failures_total",
				"model=\"" + MODEL + "\"");
	}

}
