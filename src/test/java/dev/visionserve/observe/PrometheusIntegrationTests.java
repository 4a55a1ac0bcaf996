package dev.visionserve.observe;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Prometheus server (Debian's {@code prometheus}, installed by {@code .ci/run})
 * scrapes the running service; the metrics must arrive with their labels, and
 * {@code promtool} must find no error in the exposition.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PrometheusIntegrationTests extends ServerIntegrationTests {

	private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

	private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

	private Process prometheus;

	private HttpTestClient prometheusApi;

	private Path workDir;

	@BeforeEach
	void startPrometheus() throws Exception {
		assertThat(PROMETHEUS).as("Debian package prometheus (installed by .ci/run)").isExecutable();
		this.workDir = Files.createTempDirectory("visionserve-prometheus");
		int prometheusPort = freePort();
		Path config = this.workDir.resolve("prometheus.yml");
		Files.writeString(config, """
				global:
				  scrape_interval: 1s
				scrape_configs:
				  - job_name: visionserve
				    metrics_path: /actuator/prometheus
				    static_configs:
				      - targets: ['127.0.0.1:%d']
				""".formatted(this.port));
		this.prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
				"--storage.tsdb.path=" + this.workDir.resolve("data"),
				"--web.listen-address=127.0.0.1:" + prometheusPort)
			.redirectErrorStream(true)
			.redirectOutput(this.workDir.resolve("prometheus.log").toFile())
			.start();
		this.prometheusApi = new HttpTestClient(prometheusPort);
		Instant deadline = Instant.now().plusSeconds(60);
		while (!answers(this.prometheusApi, "/-/ready")) {
			assertThat(this.prometheus.isAlive()).as(log()).isTrue();
			assertThat(Instant.now()).as("Prometheus not ready: " + log()).isBefore(deadline);
			Thread.sleep(100);
		}
	}

	@AfterEach
	void stopPrometheus() throws InterruptedException {
		if (this.prometheus != null) {
			this.prometheus.destroy();
			if (!this.prometheus.waitFor(20, TimeUnit.SECONDS)) {
				this.prometheus.destroyForcibly();
			}
		}
	}

	@Test
	void scrapesRequestBatchAndDiffusionMetricsWithTheirLabels() throws Exception {
		byte[] png = FashionMnistImages.load().get(0).png();
		assertThat(this.http.postMultipart("/classify", List.of(png, png, png)).statusCode()).isEqualTo(200);
		assertThat(this.http.postJson("/generate", "{\"label\":\"Bag\",\"steps\":3}").statusCode()).isEqualTo(200);

		JsonNode requests = awaitSeries(
				"visionserve_requests_total{endpoint=\"classify\",model=\"fashion-resnet\",outcome=\"success\"}");
		assertThat(requests.get("metric").get("job").asString()).isEqualTo("visionserve");
		assertThat(requests.get("metric").get("application").asString()).isEqualTo("visionserve");
		assertThat(requests.get("value").get(1).asDouble()).isGreaterThanOrEqualTo(1);
		awaitSeries("visionserve_requests_total{endpoint=\"generate\",model=\"fashion-ddpm\",outcome=\"success\"}");
		JsonNode batches = awaitSeries("visionserve_batch_size_bucket{model=\"fashion-resnet\",le=\"4.0\"}");
		assertThat(batches.get("value").get(1).asDouble()).isGreaterThanOrEqualTo(1);
		// A scrape may land between the generation's steps: wait for one after its last.
		JsonNode steps = awaitSeries(
				"visionserve_diffusion_steps_total{model=\"fashion-ddpm\",sampler=\"unipc-karras\",mode=\"generate\"} >= 3");
		assertThat(steps.get("value").get(1).asDouble()).isGreaterThanOrEqualTo(3);
	}

	@Test
	void promtoolFindsNoErrorAndNoLintProblemInTheServicesOwnMetrics() throws Exception {
		assertThat(PROMTOOL).as("promtool (Debian package prometheus)").isExecutable();
		this.http.postMultipart("/classify", List.of(FashionMnistImages.load().get(0).png()));
		Path exposition = this.workDir.resolve("exposition.txt");
		Files.writeString(exposition, this.http.get("/actuator/prometheus").body());
		Process promtool = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true)
			.redirectInput(exposition.toFile())
			.start();
		String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
		// Exit 1 is an error (an exposition Prometheus cannot parse); 3 means lint
		// findings, which come only from
		// Boot's and Micrometer's own meters (see docs/metrics.md) and are checked line
		// by line below.
		assertThat(promtool.exitValue()).as(output).isIn(0, 3);
		List<String> ours = new ArrayList<>();
		for (String line : output.split("\n")) {
			if (line.startsWith("visionserve_")) {
				ours.add(line);
			}
		}
		assertThat(ours).as("promtool findings about visionserve metrics").isEmpty();
	}

	private JsonNode awaitSeries(String query) throws Exception {
		Instant deadline = Instant.now().plusSeconds(60);
		while (true) {
			JsonNode result = HttpTestClient
				.json(this.prometheusApi.get("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
				.get("data")
				.get("result");
			if (result.size() > 0) {
				return result.get(0);
			}
			assertThat(Instant.now()).as("Prometheus never stored " + query + "; " + log()).isBefore(deadline);
			Thread.sleep(200);
		}
	}

	private static boolean answers(HttpTestClient client, String path) {
		try {
			return client.get(path).statusCode() == 200;
		}
		catch (IllegalStateException ex) {
			return false;
		}
	}

	private String log() {
		try {
			return Files.readString(this.workDir.resolve("prometheus.log"));
		}
		catch (IOException ex) {
			return "(no log)";
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
