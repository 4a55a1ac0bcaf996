package dev.visionserve.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.Metrics;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API keys on a real server: two keys in the configuration and one in a keys file (as the
 * Helm chart mounts a Secret), and CORS allowed for one origin. Every inference path
 * needs a key, the probes, the scrape, the docs and the playground page do not.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "visionserve.security.api-keys=" + ApiKeyIntegrationTests.KEY + ",second-key-in-the-list",
				"visionserve.cors.allowed-origins=" + ApiKeyIntegrationTests.APP_ORIGIN })
class ApiKeyIntegrationTests extends ServerIntegrationTests {

	static final String KEY = "test-key-8d1f0c5e2a";

	static final String FILE_KEY = "key-from-the-file-7b3e";

	static final String APP_ORIGIN = "https://app.example";

	private static byte[] png;

	@DynamicPropertySource
	static void keysFile(DynamicPropertyRegistry registry) {
		try {
			Path file = Files.createTempFile("visionserve-api-keys", "");
			file.toFile().deleteOnExit();
			Files.writeString(file, "# mounted from a Secret\n" + FILE_KEY + "\n");
			registry.add("visionserve.security.api-keys-file", file::toString);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@BeforeAll
	static void loadImage() throws IOException {
		png = FashionMnistImages.load().get(0).png();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/classify", "/generate", "/models", "/models/fashion-resnet", "/not-yet-an-endpoint",
			"/actuator/env" })
	void refusesEveryOtherPathWithoutAKey(String path) {
		HttpResponse<String> response = path.equals("/generate")
				? this.http.postJson(path, "{\"label\":\"Bag\",\"steps\":2}")
				: path.equals("/classify") ? this.http.postBody(path, "image/png", png) : this.http.get(path);
		assertUnauthorized(response, path);
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"visionserve\"");
		assertThat(HttpTestClient.json(response).get("detail").asString()).contains("Authorization: Bearer",
				"X-API-Key");
	}

	@Test
	void refusesAWrongKeyInEitherHeader() {
		HttpResponse<String> bearer = classify("Authorization", "Bearer " + KEY + "x");
		assertUnauthorized(bearer, "/classify");
		assertThat(bearer.headers().firstValue("WWW-Authenticate"))
			.hasValue("Bearer realm=\"visionserve\", error=\"invalid_token\"");
		assertThat(bearer.body()).doesNotContain(KEY);
		assertUnauthorized(classify("X-API-Key", KEY.substring(1)), "/classify");
		assertUnauthorized(classify("Authorization", "Bearer"), "/classify");
		// Another scheme is no key at all.
		assertUnauthorized(classify("Authorization", "Basic " + KEY), "/classify");
		assertUnauthorized(classify("Authorization", KEY), "/classify");
	}

	@Test
	void acceptsAKeyAsBearerTokenOrInXApiKey() {
		assertThat(classify("Authorization", "Bearer " + KEY).statusCode()).isEqualTo(200);
		assertThat(classify("Authorization", "bearer second-key-in-the-list").statusCode()).isEqualTo(200);
		assertThat(classify("X-API-Key", KEY).statusCode()).isEqualTo(200);
		HttpResponse<String> generated = this.http.send(request("/generate").header("X-API-Key", KEY)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"label\":\"Bag\",\"steps\":2}")));
		assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
		HttpResponse<String> models = this.http.send(request("/models").header("Authorization", "Bearer " + KEY));
		assertThat(models.statusCode()).isEqualTo(200);
	}

	@Test
	void acceptsAKeyFromTheKeysFile() {
		assertThat(classify("Authorization", "Bearer " + FILE_KEY).statusCode()).isEqualTo(200);
		assertThat(classify("X-API-Key", FILE_KEY).statusCode()).isEqualTo(200);
	}

	@Test
	void keepsAnErrorOfAnAuthorizedRequestAsItWas() {
		HttpResponse<String> response = this.http.send(request("/classify?model=nope").header("X-API-Key", KEY)
			.header("Content-Type", "image/png")
			.POST(HttpRequest.BodyPublishers.ofByteArray(png)));
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(HttpTestClient.json(response).get("code").asString()).isEqualTo("UNKNOWN_MODEL");
	}

	@ParameterizedTest
	@ValueSource(strings = { "/actuator/health", "/actuator/health/readiness", "/actuator/health/liveness",
			"/actuator/info", "/actuator/prometheus", "/", "/index.html", "/playground.js", "/playground.css",
			"/v3/api-docs", "/swagger-ui/index.html" })
	void leavesProbesTheScrapeTheDocsAndThePlaygroundOpen(String path) {
		HttpResponse<String> response = this.http.get(path);
		assertThat(response.statusCode()).as(path).isEqualTo(200);
	}

	@Test
	void checksThePathTheServerRoutesNotTheOneItWasSent() {
		// The container normalises dot segments and strips path parameters before
		// routing.
		for (String path : List.of("/actuator/health/../../models", "/actuator/health/..;/..;/models",
				"/playground.js/../models", "/models;/actuator/health")) {
			HttpResponse<String> response = this.http.send(request(path).GET());
			assertThat(response.statusCode()).as(path).isIn(400, 401, 404);
		}
	}

	@Test
	void documentsBothWaysToPresentAKey() {
		JsonNode api = HttpTestClient.json(this.http.get("/v3/api-docs"));
		JsonNode schemes = api.at("/components/securitySchemes");
		assertThat(schemes.at("/bearer/type").asString()).isEqualTo("http");
		assertThat(schemes.at("/bearer/scheme").asString()).isEqualTo("bearer");
		assertThat(schemes.at("/apiKey/type").asString()).isEqualTo("apiKey");
		assertThat(schemes.at("/apiKey/in").asString()).isEqualTo("header");
		assertThat(schemes.at("/apiKey/name").asString()).isEqualTo("X-API-Key");
		assertThat(api.get("security").toString()).contains("bearer", "apiKey");
	}

	@Test
	void countsRejectionsApartFromInferenceRequests() {
		String before = this.http.get("/actuator/prometheus").body();
		double missing = Metrics.valueOrZero(before, "visionserve_auth_rejected_total", "reason=\"missing\"");
		double invalid = Metrics.valueOrZero(before, "visionserve_auth_rejected_total", "reason=\"invalid\"");
		assertUnauthorized(this.http.postBody("/classify", "image/png", png), "/classify");
		assertUnauthorized(classify("X-API-Key", "wrong"), "/classify");
		assertUnauthorized(classify("X-API-Key", "wrong again"), "/classify");
		String after = this.http.get("/actuator/prometheus").body();
		assertThat(Metrics.value(after, "visionserve_auth_rejected_total", "reason=\"missing\""))
			.isEqualTo(missing + 1);
		assertThat(Metrics.value(after, "visionserve_auth_rejected_total", "reason=\"invalid\""))
			.isEqualTo(invalid + 2);
		// Refused before the request metrics: no inference outcome for them, so they
		// cannot inflate the error ratio.
		assertThat(after).doesNotContain("outcome=\"unauthorized\"");
	}

	@Test
	void answersAPreflightFromTheAllowedOriginWithoutAKey() {
		HttpResponse<String> preflight = preflight(APP_ORIGIN);
		assertThat(preflight.statusCode()).isEqualTo(200);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP_ORIGIN);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
			.contains("authorization", "x-api-key");
		HttpResponse<String> foreign = preflight("https://evil.example");
		assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		assertThat(foreign.statusCode()).isEqualTo(403);
		assertThat(foreign.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(HttpTestClient.json(foreign).get("code").asString()).isEqualTo("ORIGIN_NOT_ALLOWED");
		HttpResponse<String> foreignCall = this.http.send(request("/classify").header("Origin", "https://evil.example")
			.header("X-API-Key", KEY)
			.header("Content-Type", "image/png")
			.POST(HttpRequest.BodyPublishers.ofByteArray(png)));
		assertThat(foreignCall.statusCode()).isEqualTo(403);
		assertThat(HttpTestClient.json(foreignCall).get("code").asString()).isEqualTo("ORIGIN_NOT_ALLOWED");
		// A browser can read the 401 (and tell its user about the key) only with CORS
		// headers on it.
		HttpResponse<String> refused = this.http.send(request("/classify").header("Origin", APP_ORIGIN)
			.header("Content-Type", "image/png")
			.POST(HttpRequest.BodyPublishers.ofByteArray(png)));
		assertUnauthorized(refused, "/classify");
		assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP_ORIGIN);
		assertThat(refused.headers().firstValue("Access-Control-Expose-Headers").orElse(""))
			.contains("WWW-Authenticate");
	}

	private HttpResponse<String> preflight(String origin) {
		return this.http.send(request("/classify").header("Origin", origin)
			.header("Access-Control-Request-Method", "POST")
			.header("Access-Control-Request-Headers", "authorization,x-api-key,content-type")
			.method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
	}

	private HttpResponse<String> classify(String header, String value) {
		return this.http.send(request("/classify").header(header, value)
			.header("Content-Type", "image/png")
			.POST(HttpRequest.BodyPublishers.ofByteArray(png)));
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path));
	}

	private static void assertUnauthorized(HttpResponse<String> response, String path) {
		assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(401);
		assertThat(response.headers().firstValue("Content-Type")).as(path)
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(response.headers().firstValue("WWW-Authenticate")).as(path)
			.hasValueSatisfying((challenge) -> assertThat(challenge).startsWith("Bearer"));
		JsonNode problem = HttpTestClient.json(response);
		assertThat(problem.get("code").asString()).isEqualTo("UNAUTHORIZED");
		assertThat(problem.get("status").asInt()).isEqualTo(401);
		assertThat(problem.get("type").asString()).isEqualTo("urn:visionserve:problem:unauthorized");
		assertThat(problem.get("title").asString()).isEqualTo("Unauthorized");
		assertThat(response.body()).doesNotContain(KEY, FILE_KEY, "Exception", "\tat ");
	}

}
