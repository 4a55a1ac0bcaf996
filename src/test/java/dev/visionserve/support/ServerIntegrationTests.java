package dev.visionserve.support;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the tests against the real server on a random port: a client for it, and a wait
 * for readiness (models load and warm up after the port opens) before each test.
 */
public abstract class ServerIntegrationTests {

	@LocalServerPort
	protected int port;

	protected HttpTestClient http;

	@BeforeEach
	void connectWhenReady() throws InterruptedException {
		this.http = new HttpTestClient(this.port);
		if (waitsForReadiness()) {
			this.http.awaitReady(Duration.ofSeconds(120));
		}
	}

	/**
	 * @return whether to wait for readiness; a test that expects readiness to stay DOWN
	 * says no
	 */
	protected boolean waitsForReadiness() {
		return true;
	}

}
