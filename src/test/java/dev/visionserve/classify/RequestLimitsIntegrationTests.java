package dev.visionserve.classify;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.CorpusClient;
import dev.visionserve.support.CorpusClient.Part;
import dev.visionserve.support.CorpusClient.Response;
import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documented limits hold with the shipped defaults: a request with the most images
 * allowed (64) is served, even with its form fields (Tomcat's own part limit, 50 by
 * default, follows), one part more is refused naming the limit, and health bodies show no
 * file paths.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RequestLimitsIntegrationTests extends ServerIntegrationTests {

	private static final int MAX_IMAGES = 64;

	@Test
	void classifiesTheDocumentedMaximumOfImagesWithItsFormFields() throws Exception {
		byte[] png = FashionMnistImages.load().get(0).png();
		CorpusClient client = new CorpusClient(this.port);
		Response images = client.postImages("/classify", Collections.nCopies(MAX_IMAGES, png));
		assertThat(images.status()).as(images.body()).isEqualTo(200);
		assertThat(HttpTestClient.json(images.body()).get("results").size()).isEqualTo(MAX_IMAGES);

		List<Part> parts = new ArrayList<>();
		Collections.nCopies(MAX_IMAGES, png)
			.forEach((image) -> parts.add(new Part("image", "i.png", "image/png", image)));
		parts.add(new Part("model", null, null, "fashion-resnet".getBytes()));
		parts.add(new Part("topK", null, null, "2".getBytes()));
		Response withFields = client.postMultipart("/classify", parts);
		assertThat(withFields.status()).as(withFields.body()).isEqualTo(200);

		parts.add(new Part("image", "i.png", "image/png", png));
		Response tooMany = client.postMultipart("/classify", parts);
		assertThat(tooMany.status()).as(tooMany.body()).isEqualTo(413);
		assertThat(tooMany.contentType()).startsWith("application/problem+json");
		JsonNode problem = HttpTestClient.json(tooMany.body());
		assertThat(problem.get("code").asString()).isEqualTo("PAYLOAD_TOO_LARGE");
		assertThat(problem.get("detail").asString()).contains("more than " + (MAX_IMAGES + 2) + " parts")
			.contains("server.tomcat.max-part-count");
	}

	@Test
	void healthShowsNoFilePaths() {
		for (String path : List.of("/actuator/health", "/actuator/health/readiness")) {
			var response = this.http.get(path);
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			assertThat(response.body()).doesNotContain(Path.of("models").toAbsolutePath().toString())
				.doesNotContain(Path.of("").toAbsolutePath().toString())
				.doesNotContain("\"repository\"")
				.contains("fashion-resnet");
		}
	}

}
