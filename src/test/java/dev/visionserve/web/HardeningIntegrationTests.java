package dev.visionserve.web;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the default configuration gives away: no key required (today's behaviour), no
 * cross-origin access, no server software in a header, and no stack trace, class name or
 * file path in any error body, whoever answers it (an MVC handler, the error controller,
 * Tomcat, the actuator).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HardeningIntegrationTests extends ServerIntegrationTests {

	@Test
	void requiresNoKeyByDefault() throws Exception {
		HttpResponse<String> response = this.http.postBody("/classify", "image/png",
				FashionMnistImages.load().get(0).png());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
		assertThat(this.http.get("/models").statusCode()).isEqualTo(200);
		assertThat(this.http.get("/actuator/prometheus").body()).contains("visionserve_auth_rejected_total")
			.doesNotContain("outcome=\"unauthorized\"");
		// No "Authorize" in Swagger UI when there is nothing to authorize with.
		JsonNode api = HttpTestClient.json(this.http.get("/v3/api-docs"));
		assertThat(api.has("security")).isFalse();
		assertThat(api.at("/components/securitySchemes").isMissingNode()).isTrue();
	}

	@Test
	void allowsNoCrossOriginCallsByDefault() {
		HttpResponse<String> preflight = this.http.send(request("/classify").header("Origin", "https://evil.example")
			.header("Access-Control-Request-Method", "POST")
			.method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
		assertThat(preflight.headers().map().keySet()).noneMatch((name) -> name.startsWith("access-control-"));
		HttpResponse<String> simple = this.http.send(request("/models").header("Origin", "https://evil.example").GET());
		assertThat(simple.statusCode()).isEqualTo(200);
		assertThat(simple.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
	}

	@Test
	void namesNoServerSoftware() {
		for (HttpResponse<String> response : List.of(this.http.get("/actuator/health"), this.http.get("/nothing"),
				this.http.get("/classify"), this.http.get("/"))) {
			assertThat(response.headers().firstValue("Server")).as(response.uri().toString()).isEmpty();
			assertThat(response.headers().firstValue("X-Powered-By")).as(response.uri().toString()).isEmpty();
		}
	}

	@Test
	void answersErrorsEverywhereWithoutInternals() {
		List<HttpResponse<String>> errors = List.of(this.http.get("/nothing-here"), this.http.get("/actuator/nothing"),
				this.http.get("/actuator/env"), this.http.get("/actuator/heapdump"), this.http.get("/error"),
				this.http.get("/classify"), this.http.send(request("/generate").DELETE()),
				this.http.send(request("/actuator/health").DELETE()),
				this.http.postBody("/classify", "multipart/form-data; boundary=x", "--x\r\nbroken".getBytes()),
				this.http.postJson("/generate", "{\"label\": "), this.http.postJson("/generate", "[1,2]"),
				this.http.postBody("/classify", "text/plain", "hello".getBytes()));
		for (HttpResponse<String> response : errors) {
			String what = response.request().method() + " " + response.uri() + " → " + response.statusCode() + " "
					+ response.body();
			assertThat(response.statusCode()).as(what).isBetween(400, 499);
			assertThat(response.body()).as(what)
				.doesNotContain("Exception", "\tat ", "java.", "jakarta.", "org.springframework", "dev.visionserve",
						"tools.jackson", "/work/", "/home/", "/tmp/", ".java", "trace");
			if (!response.body().isEmpty()) {
				assertThat(response.headers().firstValue("Content-Type")).as(what)
					.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
				assertThat(HttpTestClient.json(response).get("code").asString()).as(what).isNotBlank();
			}
		}
	}

	@Test
	void rejectsMalformedRequestsWithoutNamingTheContainer() throws IOException {
		// Requests no HTTP client library would send, refused by Tomcat before any
		// servlet runs.
		for (String requestLine : List.of("GET /%ZZ HTTP/1.1", "GET /a|b HTTP/1.1", "GET /classify HTTP/9.9",
				"BREW /classify HTTP/1.1", "GET /classify/..%2f..%2fetc%2fpasswd HTTP/1.1")) {
			String response = raw(requestLine + "\r\nHost: localhost\r\nConnection: close\r\n\r\n");
			String status = response.lines().findFirst().orElse("");
			// 505 is the one 5xx a client can provoke: a protocol version Tomcat does not
			// speak.
			assertThat(status).as(requestLine + " → " + response).matches("HTTP/1\\.1 (4[0-9][0-9]|505)( .*)?");
			assertThat(response).as(requestLine)
				.doesNotContainIgnoringCase("Server:")
				.doesNotContainIgnoringCase("tomcat")
				.doesNotContain("Exception", "\tat ", "java.", "org.apache", "/work/", "/home/");
		}
	}

	private String raw(String request) throws IOException {
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
		}
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path));
	}

}
