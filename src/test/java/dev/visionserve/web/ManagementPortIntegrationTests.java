package dev.visionserve.web;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;

import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Actuator on its own port ({@code management.server.port}, as the Helm chart's
 * {@code managementPort} sets it), with API keys on: probes and the scrape answer there
 * without a key, and the API port no longer serves them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "visionserve.security.api-keys=management-test-key" })
class ManagementPortIntegrationTests extends ServerIntegrationTests {

	@LocalManagementPort
	private int managementPort;

	private HttpTestClient management;

	@Override
	protected boolean waitsForReadiness() {
		return false;
	}

	@BeforeEach
	void awaitReadinessOnTheManagementPort() throws InterruptedException {
		assertThat(this.managementPort).isNotEqualTo(this.port);
		this.management = new HttpTestClient(this.managementPort);
		this.management.awaitReady(Duration.ofSeconds(120));
	}

	@Test
	void servesProbesInfoAndTheScrapeOnTheManagementPortWithoutAKey() {
		for (String path : new String[] { "/actuator/health/liveness", "/actuator/health/readiness", "/actuator/info",
				"/actuator/prometheus" }) {
			assertThat(this.management.get(path).statusCode()).as(path).isEqualTo(200);
		}
		assertThat(this.management.get("/actuator/prometheus").body()).contains("visionserve_auth_rejected_total");
	}

	@Test
	void exposesNothingElseThere() {
		for (String path : new String[] { "/actuator/env", "/actuator/beans", "/actuator/heapdump", "/classify",
				"/actuator" + "/../classify" }) {
			HttpResponse<String> response = this.management.get(path);
			assertThat(response.statusCode()).as(path).isEqualTo(404);
			assertThat(response.body()).as(path).doesNotContain("Exception", "\tat ", "trace", "dev.visionserve");
		}
	}

	@Test
	void leavesTheApiPortToTheApi() {
		assertThat(this.http.get("/actuator/prometheus").statusCode()).isEqualTo(404);
		assertThat(this.http.get("/actuator/health/readiness").statusCode()).isEqualTo(404);
		assertThat(this.http.get("/models").statusCode()).isEqualTo(401);
		HttpResponse<String> models = this.http
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/models"))
				.header("X-API-Key", "management-test-key")
				.GET());
		assertThat(models.statusCode()).isEqualTo(200);
	}

}
