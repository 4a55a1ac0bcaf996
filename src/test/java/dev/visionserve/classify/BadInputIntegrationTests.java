package dev.visionserve.classify;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.image.ImageDecoderTests;
import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input gets a documented 4xx problem+json, never a 5xx, and the server answers
 * normally afterwards. Limits are lowered so the tests can reach them cheaply.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "visionserve.limits.max-images-per-request=4", "visionserve.limits.max-body-bytes=65536",
				"visionserve.limits.max-image-pixels=1000000", "spring.servlet.multipart.max-file-size=64KB",
				"spring.servlet.multipart.max-request-size=256KB" })
class BadInputIntegrationTests extends ServerIntegrationTests {

	private byte[] validPng;

	@BeforeEach
	void loadImage() throws Exception {
		this.validPng = FashionMnistImages.load().get(0).png();
	}

	@AfterEach
	void serverStillAnswersNormally() {
		HttpResponse<String> response = this.http.postMultipart("/classify", List.of(this.validPng));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
	}

	@Test
	void refusesANonImage() {
		assertProblem(this.http.postMultipart("/classify", List.of("not an image at all".getBytes())), 400,
				"INVALID_IMAGE", "not an image");
	}

	@Test
	void refusesATruncatedPng() {
		byte[] truncated = Arrays.copyOf(this.validPng, this.validPng.length / 2);
		assertProblem(this.http.postMultipart("/classify", List.of(truncated)), 400, "INVALID_IMAGE", "");
		assertProblem(this.http.postBody("/classify", "image/png", truncated), 400, "INVALID_IMAGE", "");
	}

	@Test
	void refusesAZeroByteBody() {
		assertProblem(this.http.postBody("/classify", "image/png", new byte[0]), 400, "INVALID_IMAGE", "empty");
		assertProblem(this.http.postMultipart("/classify", List.of(new byte[0])), 400, "INVALID_IMAGE", "empty");
	}

	@Test
	void refusesAHugeDeclaredImageSizeBeforeDecodingIt() {
		byte[] bomb = ImageDecoderTests.pngHeaderOnly(50_000, 50_000);
		assertProblem(this.http.postBody("/classify", "image/png", bomb), 413, "PAYLOAD_TOO_LARGE", "50000x50000");
		assertProblem(this.http.postMultipart("/classify", List.of(bomb)), 413, "PAYLOAD_TOO_LARGE", "pixels");
	}

	@Test
	void refusesTooManyImagesInOneRequest() {
		assertProblem(this.http.postMultipart("/classify", Collections.nCopies(5, this.validPng)), 413,
				"PAYLOAD_TOO_LARGE", "limit is 4");
	}

	@Test
	void refusesBodiesOverTheLimit() {
		byte[] big = new byte[100_000];
		assertProblem(this.http.postBody("/classify", "image/png", big), 413, "PAYLOAD_TOO_LARGE", "limit");
		assertProblem(this.http.postMultipart("/classify", List.of(big)), 413, "PAYLOAD_TOO_LARGE", "");
	}

	@Test
	void refusesAnUnsupportedContentType() {
		assertProblem(this.http.postBody("/classify", "application/json", "{}".getBytes()), 415,
				"UNSUPPORTED_MEDIA_TYPE", "multipart/form-data");
	}

	@Test
	void refusesInvalidParameters() {
		assertProblem(this.http.postMultipart("/classify?topK=abc", List.of(this.validPng)), 400, "INVALID_PARAMETER",
				"topK");
		assertProblem(this.http.postMultipart("/classify?topK=0", List.of(this.validPng)), 400, "INVALID_PARAMETER",
				"topK must be 1 to 10");
		assertProblem(this.http.postMultipart("/classify?topK=11", List.of(this.validPng)), 400, "INVALID_PARAMETER",
				"topK");
	}

	@Test
	void refusesAMultipartRequestWithoutImages() {
		assertProblem(this.http.postMultipart("/classify", List.of()), 400, "INVALID_PARAMETER", "");
	}

	@Test
	void refusesAnUnknownModel() {
		assertProblem(this.http.postMultipart("/classify?model=nope", List.of(this.validPng)), 404, "UNKNOWN_MODEL",
				"fashion-resnet");
		assertProblem(this.http.get("/models/nope"), 404, "UNKNOWN_MODEL", "nope");
	}

	@Test
	void answersWrongMethodsAndPathsWithProblems() {
		assertProblem(this.http.get("/classify"), 405, "METHOD_NOT_ALLOWED", "POST");
		assertProblem(this.http.get("/nothing-here"), 404, "NOT_FOUND", "");
	}

	private static void assertProblem(HttpResponse<String> response, int status, String code, String detailPart) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		JsonNode problem = HttpTestClient.json(response);
		assertThat(problem.get("code").asString()).isEqualTo(code);
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertThat(problem.get("title").asString()).isNotBlank();
		assertThat(problem.get("type").asString()).startsWith("urn:visionserve:problem:");
		assertThat(problem.get("detail").asString()).contains(detailPart);
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
	}

}
