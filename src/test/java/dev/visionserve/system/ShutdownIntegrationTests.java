package dev.visionserve.system;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.Metrics;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar as Kubernetes runs it: a child process under generation and
 * classification load gets SIGTERM. Every request it accepted must get a whole answer
 * (the result, or a 503 problem for what the drain time could not finish), requests after
 * the signal a 503 {@code SHUTTING_DOWN}, and the process must exit with 143 and no
 * native crash.
 */
class ShutdownIntegrationTests {

	private static final int GENERATIONS = 16;

	private static final int CLASSIFY_CLIENTS = 3;

	@TempDir
	Path work;

	@Test
	void answersEveryAcceptedRequestAndExitsCleanlyOnSigterm() throws Exception {
		int port;
		try (ServerSocket free = new ServerSocket(0)) {
			port = free.getLocalPort();
		}
		Path log = this.work.resolve("service.log");
		Process service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-XX:ErrorFile=" + this.work.resolve("hs_err_pid%p.log"), "-jar", jar().toString(),
				"--server.port=" + port, "--visionserve.shutdown.drain-timeout=10s")
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		ExecutorService clients = Executors.newCachedThreadPool();
		try {
			HttpTestClient http = new HttpTestClient(port);
			awaitPortOpen(port, service);
			http.awaitReady(Duration.ofSeconds(120));
			HttpClient client = HttpClient.newHttpClient();
			byte[] image = FashionMnistImages.load().get(0).png();

			List<Future<Outcome>> generations = new ArrayList<>();
			for (int i = 0; i < GENERATIONS; i++) {
				// Short jobs finish within the drain time, long ones cannot and are
				// failed.
				int steps = (i % 2 == 0) ? 200 : 30;
				String accept = List.of("application/json", "image/png", "text/event-stream").get(i % 3);
				String body = "{\"steps\":" + steps + ",\"seed\":" + i + ",\"label\":" + (i % 10) + "}";
				generations.add(clients.submit(() -> generate(client, port, accept, body)));
			}
			AtomicBoolean draining = new AtomicBoolean();
			List<Future<List<Outcome>>> classifications = new ArrayList<>();
			for (int i = 0; i < CLASSIFY_CLIENTS; i++) {
				classifications.add(clients.submit(() -> classifyUntilRefused(client, port, image, draining)));
			}
			awaitAllGenerationsRunning(http);

			service.destroy();
			Instant deadline = Instant.now().plusSeconds(10);
			while (http.get("/actuator/health/readiness").statusCode() != 503) {
				assertThat(Instant.now()).as("readiness never turned DOWN").isBefore(deadline);
				Thread.sleep(20);
			}
			HttpResponse<String> late = http.postBody("/classify", "image/png", image);
			assertThat(late.statusCode()).isEqualTo(503);
			assertThat(late.headers().firstValue("Retry-After")).hasValue("1");
			assertThat(HttpTestClient.json(late).get("code").asString()).isEqualTo("SHUTTING_DOWN");
			draining.set(true);

			assertThat(service.waitFor(60, TimeUnit.SECONDS)).as("the process exited").isTrue();
			List<Outcome> outcomes = new ArrayList<>();
			for (Future<Outcome> generation : generations) {
				outcomes.add(generation.get(10, TimeUnit.SECONDS));
			}
			for (Future<List<Outcome>> classification : classifications) {
				outcomes.addAll(classification.get(10, TimeUnit.SECONDS));
			}
			Map<String, Integer> counts = new TreeMap<>();
			outcomes.forEach((outcome) -> counts.merge(outcome.summary(), 1, Integer::sum));
			long lost = outcomes.stream().filter((outcome) -> !outcome.complete()).count();
			System.out.printf("shutdown under load: accepted %d, answered %d, lost %d; %s; exit code %d%n",
					outcomes.size(), outcomes.size() - lost, lost, counts, service.exitValue());
			String output = Files.readString(log);
			assertThat(lost).as("requests without a complete response: " + counts).isZero();
			assertThat(counts).as("some generations finished in the drain time, some could not")
				.containsKeys("generate 200", "generate 503 SHUTTING_DOWN");
			assertThat(service.exitValue()).isEqualTo(143);
			try (Stream<Path> files = Files.list(this.work)) {
				assertThat(files.map(Path::getFileName).map(Path::toString)).noneMatch((n) -> n.startsWith("hs_err"));
			}
			assertThat(output).doesNotContain("SIGSEGV").contains("Drained in");
		}
		finally {
			service.destroyForcibly();
			clients.shutdownNow();
		}
	}

	private static Path jar() throws IOException {
		try (Stream<Path> files = Files.list(Path.of("target"))) {
			return files.filter((file) -> file.getFileName().toString().matches("visionserve-.*\\.jar"))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("Run 'mvn verify': the jar is built before this test"));
		}
	}

	private static void awaitPortOpen(int port, Process service) throws InterruptedException {
		Instant deadline = Instant.now().plusSeconds(120);
		while (true) {
			try (Socket socket = new Socket("localhost", port)) {
				return;
			}
			catch (IOException ex) {
				assertThat(service.isAlive()).as("the service process is running").isTrue();
				assertThat(Instant.now()).as("the port never opened").isBefore(deadline);
				Thread.sleep(100);
			}
		}
	}

	private static void awaitAllGenerationsRunning(HttpTestClient http) throws InterruptedException {
		Instant deadline = Instant.now().plusSeconds(60);
		while (Metrics.valueOrZero(http.get("/actuator/prometheus").body(), "visionserve_diffusion_active_jobs",
				"model=\"fashion-ddpm\"") < GENERATIONS) {
			assertThat(Instant.now()).as("the generations never all ran").isBefore(deadline);
			Thread.sleep(20);
		}
	}

	private static Outcome generate(HttpClient client, int port, String accept, String body) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/generate"))
			.header("Content-Type", "application/json")
			.header("Accept", accept)
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		try {
			HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
			byte[] bytes;
			try (InputStream in = response.body()) {
				bytes = in.readAllBytes();
			}
			return Outcome.of("generate", accept, response.statusCode(), bytes);
		}
		catch (IOException ex) {
			return Outcome.lost("generate", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Outcome.lost("generate", ex);
		}
	}

	/**
	 * Classifies in a loop, as a client behind a load balancer would, until the service
	 * refuses (503) or the test has seen the drain begin.
	 */
	private static List<Outcome> classifyUntilRefused(HttpClient client, int port, byte[] image,
			AtomicBoolean draining) {
		List<Outcome> outcomes = new ArrayList<>();
		while (!draining.get()) {
			HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/classify"))
				.header("Content-Type", "image/png")
				.POST(HttpRequest.BodyPublishers.ofByteArray(image))
				.build();
			try {
				HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
				Outcome outcome = Outcome.of("classify", "application/json", response.statusCode(), response.body());
				outcomes.add(outcome);
				if (response.statusCode() == 503) {
					break;
				}
			}
			catch (ConnectException ex) {
				// Never accepted: the port is closed.
				break;
			}
			catch (IOException ex) {
				outcomes.add(Outcome.lost("classify", ex));
				break;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		return outcomes;
	}

	/** How one request ended, judged by reading its whole answer. */
	private record Outcome(String summary, boolean complete) {

		static Outcome lost(String endpoint, Exception ex) {
			return new Outcome(endpoint + " lost (" + ex.getClass().getSimpleName() + ")", false);
		}

		static Outcome of(String endpoint, String accept, int status, byte[] body) {
			String prefix = endpoint + " " + status;
			try {
				if (status == 503) {
					JsonNode problem = HttpTestClient.json(new String(body, StandardCharsets.UTF_8));
					String code = problem.get("code").asString();
					return new Outcome(prefix + " " + code, "SHUTTING_DOWN".equals(code));
				}
				if (status != 200) {
					return new Outcome(prefix, false);
				}
				return switch (accept) {
					case "image/png" -> new Outcome(prefix, ImageIO.read(new ByteArrayInputStream(body)) != null);
					case "text/event-stream" -> stream(prefix, body);
					default -> new Outcome(prefix, HttpTestClient.json(new String(body, StandardCharsets.UTF_8))
						.has((endpoint.equals("generate") ? "images" : "results")));
				};
			}
			catch (IOException | RuntimeException ex) {
				return new Outcome(prefix + " unreadable", false);
			}
		}

		/**
		 * A stream is whole when it ends with a result, or with an error event saying
		 * why.
		 */
		private static Outcome stream(String prefix, byte[] body) throws IOException {
			String lastEvent = null;
			String lastData = null;
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					if (line.startsWith("event:")) {
						lastEvent = line.substring("event:".length());
					}
					else if (line.startsWith("data:")) {
						lastData = line.substring("data:".length());
					}
				}
			}
			if ("result".equals(lastEvent)) {
				return new Outcome("generate 200", HttpTestClient.json(lastData).has("images"));
			}
			if ("error".equals(lastEvent)) {
				String code = HttpTestClient.json(lastData).get("code").asString();
				return new Outcome("generate 503 " + code + " (event)", "SHUTTING_DOWN".equals(code));
			}
			return new Outcome(prefix + " stream cut after '" + lastEvent + "'", false);
		}

	}

}
