package dev.visionserve.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;

import dev.visionserve.support.Metrics;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that misbehave without disconnecting cleanly: one that stops reading its event
 * stream, and one that hangs up while waiting for a JSON answer. The server's socket send
 * buffers are made small, so a stalled reader fills them in a few steps instead of a
 * minute.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GenerateClientsIntegrationTests extends ServerIntegrationTests {

	@Test
	void twoClientsThatStopReadingStallNobodyElseAndLoseTheirJobs() throws Exception {
		double slowBefore = cancelled("slow_client");
		List<Socket> stalled = new ArrayList<>();
		try {
			// One per lane: before, each stalled reader blocked its lane's thread in a
			// socket write, and with it every job of that lane.
			for (int i = 0; i < 2; i++) {
				stalled.add(send("text/event-stream",
						"{\"steps\":1000,\"count\":4,\"seed\":" + i + ",\"previewEvery\":1}"));
			}
			Instant deadline = Instant.now().plusSeconds(120);
			while (cancelled("slow_client") < slowBefore + 2) {
				HttpResponse<String> other = this.http.postJson("/generate", "{\"steps\":10,\"seed\":5}");
				assertThat(other.statusCode()).as("a well-behaved client is answered meanwhile").isEqualTo(200);
				assertThat(Instant.now()).as("the stalled clients' jobs were not cancelled").isBefore(deadline);
			}
			awaitNoActiveJobs(deadline);
		}
		finally {
			for (Socket socket : stalled) {
				socket.close();
			}
		}
	}

	@Test
	void stopsComputingForAJsonClientThatHangsUp() throws Exception {
		double cancelledBefore = cancelled("client_disconnected");
		double stepsBefore = steps();
		try (Socket socket = send("application/json", "{\"steps\":1000,\"seed\":3}")) {
			Instant started = Instant.now().plusSeconds(30);
			while (steps() <= stepsBefore) {
				assertThat(Instant.now()).as("the job never started").isBefore(started);
				Thread.sleep(50);
			}
		}
		Instant deadline = Instant.now().plusSeconds(15);
		while (cancelled("client_disconnected") <= cancelledBefore) {
			assertThat(Instant.now()).as("the hang-up was not noticed").isBefore(deadline);
			Thread.sleep(50);
		}
		awaitNoActiveJobs(deadline);
		double stepsAfterCancel = steps();
		assertThat(stepsAfterCancel - stepsBefore).as("steps computed of 1000").isLessThan(500);
		assertThat(steps()).isEqualTo(stepsAfterCancel);
	}

	/**
	 * Sends a generation on a raw socket with a tiny receive buffer and reads nothing.
	 */
	private Socket send(String accept, String json) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(1024);
		socket.connect(new InetSocketAddress("localhost", this.port));
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		OutputStream out = socket.getOutputStream();
		out.write(("POST /generate HTTP/1.1\r\nHost: localhost\r\nAccept: " + accept
				+ "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		out.write(body);
		out.flush();
		return socket;
	}

	private void awaitNoActiveJobs(Instant deadline) throws InterruptedException {
		while (metric("visionserve_diffusion_active_jobs") > 0) {
			assertThat(Instant.now()).as("jobs still active").isBefore(deadline);
			Thread.sleep(50);
		}
	}

	private double cancelled(String reason) {
		return metric("visionserve_diffusion_cancelled_total", "reason=\"" + reason + "\"");
	}

	private double steps() {
		return metric("visionserve_diffusion_steps_total");
	}

	/** Zero before the denoiser's first generation, which registers its series. */
	private double metric(String name, String... labels) {
		String[] all = Arrays.copyOf(labels, labels.length + 1);
		all[labels.length] = "model=\"fashion-ddpm\"";
		return Metrics.valueOrZero(this.http.get("/actuator/prometheus").body(), name, all);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class SmallSocketBuffers {

		/** 4 KiB instead of the kernel's default (often megabytes on loopback). */
		@Bean
		TomcatConnectorCustomizer smallSendBuffer() {
			return (connector) -> connector.setProperty("socket.txBufSize", "4096");
		}

	}

}
