package dev.visionserve.generate;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.Metrics;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real server with the shipped denoiser and classifier: generation quality,
 * determinism, streaming, cancellation and step-level batching, all through HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GenerateIntegrationTests extends ServerIntegrationTests {

	private static final List<String> LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
			"Shirt", "Sneaker", "Bag", "Ankle boot");

	@Test
	void generatesEveryClassSoTheClassifierRecognisesIt() throws Exception {
		ExecutorService clients = Executors.newFixedThreadPool(4);
		try {
			List<Future<Integer>> agreements = new ArrayList<>();
			for (int label = 0; label < LABELS.size(); label++) {
				int classIndex = label;
				agreements.add(clients.submit(() -> {
					JsonNode generated = HttpTestClient.json(this.http.postJson("/generate",
							"{\"label\":" + classIndex + ",\"count\":10,\"seed\":" + (1000 + classIndex * 10) + "}"));
					List<byte[]> pngs = pngs(generated);
					JsonNode results = HttpTestClient.json(this.http.postMultipart("/classify?topK=1", pngs))
						.get("results");
					int agree = 0;
					for (JsonNode result : results) {
						agree += (result.get("predictions").get(0).get("index").asInt() == classIndex) ? 1 : 0;
					}
					assertThat(agree).as("class " + LABELS.get(classIndex) + " recognised").isGreaterThan(0);
					return agree;
				}));
			}
			int agreed = 0;
			for (Future<Integer> agreement : agreements) {
				agreed += agreement.get(300, TimeUnit.SECONDS);
			}
			System.out.printf("fashion-ddpm label agreement over 100 generated images: %d/100%n", agreed);
			assertThat(agreed).isGreaterThanOrEqualTo(80);
		}
		finally {
			clients.shutdownNow();
		}
	}

	@Test
	void answersWithTheDocumentedJsonAndTheSameBytesEveryTime() {
		String request = "{\"label\":\"Sneaker\",\"steps\":20,\"seed\":7,\"count\":2}";
		HttpResponse<String> first = this.http.postJson("/generate", request);
		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
		JsonNode body = HttpTestClient.json(first);
		assertThat(body.get("model").asString()).isEqualTo("fashion-ddpm");
		assertThat(body.get("seed").asLong()).isEqualTo(7);
		assertThat(body.get("steps").asInt()).isEqualTo(20);
		assertThat(body.get("sampler").asString()).isEqualTo("unipc-karras");
		assertThat(body.get("images").get(0).get("seed").asLong()).isEqualTo(7);
		assertThat(body.get("images").get(1).get("seed").asLong()).isEqualTo(8);
		BufferedImage image = decode(pngs(body).get(0));
		assertThat(image.getWidth()).isEqualTo(28);
		assertThat(image.getHeight()).isEqualTo(28);
		assertThat(HttpTestClient.json(this.http.postJson("/generate", request))).isEqualTo(body);
		// The second image alone, from its own seed, is the same image.
		JsonNode alone = HttpTestClient
			.json(this.http.postJson("/generate", "{\"label\":\"Sneaker\",\"steps\":20,\"seed\":8}"));
		assertThat(alone.get("images").get(0).get("png")).isEqualTo(body.get("images").get(1).get("png"));
	}

	@Test
	void returnsTheRandomSeedItChoseSoTheImageCanBeReproduced() {
		JsonNode random = HttpTestClient.json(this.http.postJson("/generate", "{\"label\":\"Bag\",\"steps\":10}"));
		long seed = random.get("seed").asLong();
		JsonNode again = HttpTestClient
			.json(this.http.postJson("/generate", "{\"label\":\"Bag\",\"steps\":10,\"seed\":" + seed + "}"));
		assertThat(again.get("images")).isEqualTo(random.get("images"));
	}

	@Test
	void givesTheSameImageAmidSevenOtherJobsAndBatchesTheirSteps() throws Exception {
		String request = "{\"label\":\"Dress\",\"steps\":30,\"seed\":42}";
		double soloRunsBefore = soloRuns();
		BufferedImage solo = decode(pngs(HttpTestClient.json(this.http.postJson("/generate", request))).get(0));
		// A lone job's ticks run on the all-cores session, not on one single-threaded
		// one.
		assertThat(soloRuns()).isGreaterThan(soloRunsBefore);
		double biggerTicksBefore = ticksLargerThan(2);
		double ticksOverAShareBefore = ticksLargerThan(8);
		ExecutorService clients = Executors.newFixedThreadPool(8);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<JsonNode>> answers = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				String body = (i == 0) ? request : "{\"label\":" + i + ",\"steps\":30,\"seed\":" + (100 + i) + "}";
				answers.add(clients.submit(() -> {
					start.await();
					return HttpTestClient.json(this.http.postJson("/generate", body));
				}));
			}
			start.countDown();
			BufferedImage amid = decode(pngs(answers.get(0).get(300, TimeUnit.SECONDS)).get(0));
			for (Future<JsonNode> answer : answers) {
				assertThat(answer.get(300, TimeUnit.SECONDS).get("images").size()).isEqualTo(1);
			}
			for (int y = 0; y < 28; y++) {
				for (int x = 0; x < 28; x++) {
					int difference = Math
						.abs(solo.getRaster().getSample(x, y, 0) - amid.getRaster().getSample(x, y, 0));
					assertThat(difference).as("pixel %d,%d", x, y).isLessThanOrEqualTo(1);
				}
			}
		}
		finally {
			clients.shutdownNow();
		}
		// One guided job alone is 2 rows per tick; eight at once must have shared ticks,
		// spread over both lanes (16 rows, 8 per lane) rather than filling one.
		assertThat(ticksLargerThan(2)).isGreaterThan(biggerTicksBefore);
		assertThat(ticksLargerThan(8)).isEqualTo(ticksOverAShareBefore);
	}

	@Test
	void answersWithThePngItselfWhenAskedFor() throws IOException {
		HttpResponse<byte[]> response = this.http.postJsonForBytes("/generate",
				"{\"label\":\"Trouser\",\"steps\":10,\"seed\":3}", "image/png");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
		JsonNode json = HttpTestClient
			.json(this.http.postJson("/generate", "{\"label\":\"Trouser\",\"steps\":10,\"seed\":3}"));
		assertThat(response.body()).isEqualTo(pngs(json).get(0));
	}

	@Test
	void streamsProgressInOrderThenPreviewsThenTheResult() throws IOException {
		HttpResponse<InputStream> response = this.http.openEventStream("/generate",
				"{\"label\":\"Coat\",\"steps\":12,\"seed\":5,\"previewEvery\":4}");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
		List<String[]> events = readEvents(response.body(), Integer.MAX_VALUE);
		int expectedStep = 1;
		int previews = 0;
		for (String[] event : events.subList(0, events.size() - 1)) {
			JsonNode data = HttpTestClient.json(event[1]);
			if (event[0].equals("progress")) {
				assertThat(data.get("step").asInt()).isEqualTo(expectedStep++);
				assertThat(data.get("totalSteps").asInt()).isEqualTo(12);
				assertThat(data.get("elapsed").asLong()).isNotNegative();
			}
			else {
				assertThat(event[0]).isEqualTo("preview");
				assertThat(data.get("step").asInt()).isEqualTo(expectedStep - 1).isIn(4, 8);
				decode(Base64.getDecoder().decode(data.get("images").get(0).asString()));
				previews++;
			}
		}
		assertThat(expectedStep - 1).isEqualTo(12);
		assertThat(previews).isEqualTo(2);
		String[] last = events.get(events.size() - 1);
		assertThat(last[0]).isEqualTo("result");
		assertThat(HttpTestClient.json(last[1])).isEqualTo(
				HttpTestClient.json(this.http.postJson("/generate", "{\"label\":\"Coat\",\"steps\":12,\"seed\":5}")));
	}

	@Test
	void stopsComputingAJobWhoseClientDisconnects() throws Exception {
		double cancelledBefore = cancelled("client_disconnected");
		HttpResponse<InputStream> response = this.http.openEventStream("/generate",
				"{\"label\":\"Shirt\",\"sampler\":\"ddim\",\"steps\":1000,\"seed\":9}");
		List<String[]> firstEvents = readEvents(response.body(), 3);
		assertThat(firstEvents).hasSize(3);
		response.body().close();
		Instant deadline = Instant.now().plusSeconds(60);
		while (cancelled("client_disconnected") <= cancelledBefore) {
			assertThat(Instant.now()).as("the job was not cancelled after the client left").isBefore(deadline);
			Thread.sleep(100);
		}
		double stepsAfterCancel = steps();
		while (activeJobs() > 0) {
			assertThat(Instant.now()).as("jobs still active").isBefore(deadline);
			Thread.sleep(100);
		}
		assertThat(steps()).isEqualTo(stepsAfterCancel);
	}

	@Test
	void refusesInvalidRequestsNamingTheField() {
		assertInvalid("{\"count\":17}", "count");
		assertInvalid("{\"steps\":0}", "steps");
		assertInvalid("{\"steps\":1001}", "steps must be 1 to 1000");
		assertInvalid("{\"guidanceScale\":25}", "guidanceScale");
		assertInvalid("{\"eta\":1.5}", "eta");
		assertInvalid("{\"seed\":-1}", "seed");
		assertInvalid("{\"sampler\":\"heun\"}", "[ddpm, ddim, euler, dpmpp-2m, dpmpp-2m-karras, unipc, unipc-karras]");
		assertInvalid("{\"label\":\"Hat\"}", "Ankle boot");
		assertInvalid("{\"label\":\"12\"}", "0 to 9");
		assertInvalid("{\"steps\":\"many\"}", "'steps'");
		assertInvalid("{not json", "not valid JSON");
		HttpResponse<byte[]> twoAsPng = this.http.postJsonForBytes("/generate", "{\"count\":2}", "image/png");
		assertThat(twoAsPng.statusCode()).isEqualTo(400);
		HttpResponse<String> unknown = this.http.postJson("/generate", "{\"model\":\"fashion-resnet\"}");
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(HttpTestClient.json(unknown).get("code").asString()).isEqualTo("UNKNOWN_MODEL");
	}

	private void assertInvalid(String body, String detailPart) {
		HttpResponse<String> response = this.http.postJson("/generate", body);
		assertThat(response.statusCode()).as(body + " → " + response.body()).isEqualTo(400);
		JsonNode problem = HttpTestClient.json(response);
		assertThat(problem.get("code").asString()).isEqualTo("INVALID_PARAMETER");
		assertThat(problem.get("detail").asString()).contains(detailPart);
	}

	private double soloRuns() {
		return Metrics.valueOrZero(this.http.get("/actuator/prometheus").body(),
				"visionserve_inference_solo_runs_total", "model=\"fashion-ddpm\"");
	}

	private double ticksLargerThan(int rows) {
		String metrics = this.http.get("/actuator/prometheus").body();
		return Metrics.valueOrZero(metrics, "visionserve_diffusion_tick_rows_count", "model=\"fashion-ddpm\"")
				- Metrics.valueOrZero(metrics, "visionserve_diffusion_tick_rows_bucket", "model=\"fashion-ddpm\"",
						"le=\"" + rows + ".0\"");
	}

	private double cancelled(String reason) {
		return Metrics.valueOrZero(this.http.get("/actuator/prometheus").body(),
				"visionserve_diffusion_cancelled_total", "model=\"fashion-ddpm\"", "reason=\"" + reason + "\"");
	}

	private double steps() {
		return Metrics.valueOrZero(this.http.get("/actuator/prometheus").body(), "visionserve_diffusion_steps_total",
				"model=\"fashion-ddpm\"", "sampler=\"ddim\"");
	}

	private double activeJobs() {
		return this.http.metric("visionserve_diffusion_active_jobs", "model=\"fashion-ddpm\"");
	}

	static List<byte[]> pngs(JsonNode generated) {
		List<byte[]> pngs = new ArrayList<>();
		generated.get("images").forEach((image) -> pngs.add(Base64.getDecoder().decode(image.get("png").asString())));
		return pngs;
	}

	static BufferedImage decode(byte[] png) {
		try {
			BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
			assertThat(image).isNotNull();
			return image;
		}
		catch (IOException ex) {
			throw new AssertionError(ex);
		}
	}

	/** Reads up to {@code max} events as [name, data] pairs, until the stream ends. */
	static List<String[]> readEvents(InputStream stream, int max) throws IOException {
		BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
		List<String[]> events = new ArrayList<>();
		String name = null;
		StringBuilder data = new StringBuilder();
		String line;
		while (events.size() < max && (line = reader.readLine()) != null) {
			if (line.startsWith("event:")) {
				name = line.substring(6).trim();
			}
			else if (line.startsWith("data:")) {
				data.append(line.substring(5));
			}
			else if (line.isEmpty() && name != null) {
				events.add(new String[] { name, data.toString() });
				name = null;
				data.setLength(0);
			}
		}
		return events;
	}

}
