package dev.visionserve.web;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.BadInputCorpus;
import dev.visionserve.support.BadInputCorpus.Case;
import dev.visionserve.support.CorpusClient;
import dev.visionserve.support.CorpusClient.Response;
import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sends every case of the {@link BadInputCorpus} to the real server with the shipped
 * models: each gets its documented status, a bad one an {@code application/problem+json}
 * body with its stable code and nothing of the implementation (no stack trace, class name
 * or file path), and after each the server is healthy and classifies normally.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "visionserve.limits.max-images-per-request=8", "visionserve.limits.max-body-bytes=1048576",
				"visionserve.limits.max-generation-work=64", "spring.servlet.multipart.max-file-size=1MB",
				"spring.servlet.multipart.max-request-size=4MB" })
class BadInputCorpusIntegrationTests extends ServerIntegrationTests {

	private static final Log logger = LogFactory.getLog(BadInputCorpusIntegrationTests.class);

	private static final long SEED = 20261129L;

	/** A Java class or package name, or a stack frame. */
	private static final Pattern IMPLEMENTATION = Pattern
		.compile("[A-Za-z]+(Exception|Error)\\b|\\b(java|javax|jakarta|sun|tools\\.jackson|org\\.apache|org\\.spring"
				+ "framework|dev\\.visionserve)\\.[a-z]|\\tat |\\.java:\\d");

	private static final Map<Integer, Integer> OUTCOMES = new ConcurrentHashMap<>();

	private static int size;

	private static byte[] probe;

	static List<Case> corpus() {
		List<Case> cases = BadInputCorpus.build(SEED);
		size = cases.size();
		return cases;
	}

	@ParameterizedTest(name = "[{index}] {0}")
	@MethodSource("corpus")
	void answersAsDocumented(Case testCase) throws Exception {
		CorpusClient client = new CorpusClient(this.port);
		Response response = testCase.request().send(client);
		OUTCOMES.merge(response.status(), 1, Integer::sum);
		String what = testCase + ": " + abbreviate(response.body());
		assertThat(response.status()).as(what).isLessThan(500).isEqualTo(testCase.status());
		assertNoInternals(response.body());
		if (testCase.code() == null) {
			assertThat(response.contentType()).as(what).startsWith("application/json");
		}
		else {
			assertThat(response.contentType()).as(what).startsWith("application/problem+json");
			JsonNode problem = HttpTestClient.json(response.body());
			assertThat(problem.get("code").asString()).as(what).isEqualTo(testCase.code());
			assertThat(problem.get("status").asInt()).as(what).isEqualTo(testCase.status());
			assertThat(problem.get("type").asString()).as(what).startsWith("urn:visionserve:problem:");
			assertThat(problem.get("detail").asString()).as(what).contains(testCase.detail());
		}
		serverStillAnswersNormally();
	}

	private void serverStillAnswersNormally() throws Exception {
		var health = this.http.get("/actuator/health");
		assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
		assertNoInternals(health.body());
		if (probe == null) {
			probe = FashionMnistImages.load().get(0).png();
		}
		var classified = this.http.postBody("/classify?topK=1", "image/png", probe);
		assertThat(classified.statusCode()).as(classified.body()).isEqualTo(200);
	}

	private static String abbreviate(String body) {
		return (body.length() <= 600) ? body : body.substring(0, 600) + "…";
	}

	private static void assertNoInternals(String body) {
		assertThat(IMPLEMENTATION.matcher(body).find()).as("implementation names in " + body).isFalse();
		assertThat(body).doesNotContain(Path.of("").toAbsolutePath().toString())
			.doesNotContain(Path.of("models").toAbsolutePath().toString());
	}

	@AfterAll
	static void report() {
		logger.info("Bad-input corpus: " + size + " cases; outcomes by status: " + new TreeMap<>(OUTCOMES));
	}

}
