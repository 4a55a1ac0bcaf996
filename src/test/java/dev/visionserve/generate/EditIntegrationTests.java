package dev.visionserve.generate;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.generate.scheduler.RePaint;
import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.Metrics;
import dev.visionserve.support.ServerIntegrationTests;

import static dev.visionserve.generate.GenerateIntegrationTests.decode;
import static dev.visionserve.generate.GenerateIntegrationTests.pngs;
import static dev.visionserve.generate.GenerateIntegrationTests.readEvents;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The editing endpoints on the real server with the shipped denoiser: the exact
 * properties each mode promises (known pixels kept, super-resolution consistent with its
 * input, strength 0 the identity, one seed one answer), the three answer forms, the
 * refusals, and jobs of every mode sharing the engine's ticks. Quality is measured by
 * {@code bench/editing.sh}, not here.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EditIntegrationTests extends ServerIntegrationTests {

	private static List<FashionMnistImages.LabeledImage> images;

	@BeforeAll
	static void loadImages() throws IOException {
		images = FashionMnistImages.load().subList(0, 4);
	}

	@Test
	void inpaintingGivesBackEveryKnownPixelExactly() {
		for (IntBinaryOperator hole : List.<IntBinaryOperator>of(
				(x, y) -> (x >= 7 && x < 21 && y >= 7 && y < 21) ? 255 : 0, (x, y) -> (y >= 14) ? 255 : 0)) {
			for (FashionMnistImages.LabeledImage image : images.subList(0, 2)) {
				byte[] mask = png(28, 28, hole);
				JsonNode answer = HttpTestClient
					.json(this.http.send(this.http.multipart("/inpaint", files("image", image.png(), "mask", mask),
							fields("steps", "10", "jumpLength", "3", "resampleCount", "2", "seed", "3"))));
				assertThat(answer.get("mode").asString()).isEqualTo("inpaint");
				assertThat(answer.get("modelCalls").asInt())
					.isEqualTo(RePaint.denoisingSteps(RePaint.schedule(10, 3, 2)))
					.isGreaterThan(10);
				BufferedImage input = decode(image.png());
				BufferedImage output = decode(pngs(answer).get(0));
				int changedInHole = 0;
				for (int y = 0; y < 28; y++) {
					for (int x = 0; x < 28; x++) {
						int before = input.getRaster().getSample(x, y, 0);
						int after = output.getRaster().getSample(x, y, 0);
						if (hole.applyAsInt(x, y) == 0) {
							assertThat(after).as("known pixel %d,%d", x, y).isEqualTo(before);
						}
						else {
							changedInHole += (after != before) ? 1 : 0;
						}
					}
				}
				assertThat(changedInHole).as("pixels the model painted").isPositive();
			}
		}
	}

	@Test
	void inpaintingThresholdsAGreyMaskAt128AndTakesJson() {
		byte[] image = images.get(2).png();
		// 127 keeps, 128 fills: the left half must come back as it was.
		byte[] mask = png(28, 28, (x, y) -> (x < 14) ? 127 : 128);
		JsonNode answer = HttpTestClient.json(this.http.postJson("/inpaint", "{\"image\":\"" + base64(image)
				+ "\",\"mask\":\"" + base64(mask) + "\",\"steps\":8,\"resampleCount\":1,\"seed\":4}"));
		BufferedImage input = decode(image);
		BufferedImage output = decode(pngs(answer).get(0));
		for (int y = 0; y < 28; y++) {
			for (int x = 0; x < 14; x++) {
				assertThat(output.getRaster().getSample(x, y, 0)).isEqualTo(input.getRaster().getSample(x, y, 0));
			}
		}
		assertThat(answer.get("modelCalls").asInt()).isEqualTo(8);
	}

	@Test
	void superResolutionGivesBackItsInputWhenDownsampled() {
		for (int factor : new int[] { 2, 4 }) {
			for (FashionMnistImages.LabeledImage image : images.subList(0, 2)) {
				BufferedImage original = decode(image.png());
				int size = 28 / factor;
				int[][] low = new int[size][size];
				for (int y = 0; y < size; y++) {
					for (int x = 0; x < size; x++) {
						low[y][x] = boxMean(original, x, y, factor);
					}
				}
				byte[] input = png(size, size, (x, y) -> low[y][x]);
				JsonNode answer = HttpTestClient.json(this.http.send(this.http.multipart("/super-resolution",
						files("image", input), fields("steps", "10", "seed", "5"))));
				BufferedImage output = decode(pngs(answer).get(0));
				assertThat(output.getWidth()).isEqualTo(28);
				for (int y = 0; y < size; y++) {
					for (int x = 0; x < size; x++) {
						double mean = 0;
						for (int dy = 0; dy < factor; dy++) {
							for (int dx = 0; dx < factor; dx++) {
								mean += output.getRaster().getSample(x * factor + dx, y * factor + dy, 0);
							}
						}
						// Exact: the block sums are rounded to factor² times the input.
						assertThat(mean / (factor * factor)).as("block %d,%d at x%d", x, y, factor)
							.isEqualTo(low[y][x]);
					}
				}
			}
		}
	}

	@Test
	void imageToImageAtStrengthZeroIsTheIdentityAndEachSeedGivesOneAnswer() {
		byte[] image = images.get(0).png();
		JsonNode identity = HttpTestClient.json(this.http
			.send(this.http.multipart("/img2img", files("image", image), fields("strength", "0", "seed", "1"))));
		assertThat(identity.get("modelCalls").asInt()).isZero();
		assertSamePixels(decode(pngs(identity).get(0)), decode(image));
		String request = "{\"image\":\"" + base64(image) + "\",\"strength\":0.5,\"steps\":10,\"label\":\"Bag\","
				+ "\"seed\":9,\"count\":2}";
		JsonNode first = HttpTestClient.json(this.http.postJson("/img2img", request));
		JsonNode second = HttpTestClient.json(this.http.postJson("/img2img", request));
		assertThat(first.get("modelCalls").asInt()).isEqualTo(5);
		assertThat(first.get("images")).isEqualTo(second.get("images"));
		assertThat(first.get("images").get(0).get("png")).isNotEqualTo(first.get("images").get(1).get("png"));
	}

	@Test
	void denoisingReportsTheNoiseLevelAndBringsTheImageCloserToTheClean() {
		BufferedImage clean = decode(images.get(1).png());
		java.util.Random random = new java.util.Random(11);
		int[][] noisy = new int[28][28];
		for (int y = 0; y < 28; y++) {
			for (int x = 0; x < 28; x++) {
				double value = clean.getRaster().getSample(x, y, 0) + 50 * random.nextGaussian();
				noisy[y][x] = (int) Math.max(0, Math.min(255, Math.round(value)));
			}
		}
		byte[] input = png(28, 28, (x, y) -> noisy[y][x]);
		JsonNode given = HttpTestClient
			.json(this.http.send(this.http.multipart("/denoise", files("image", input), fields("noiseLevel", "50"))));
		assertThat(given.get("noiseLevel").asDouble()).isEqualTo(50.0);
		assertThat(given.get("noiseLevelEstimated").asBoolean()).isFalse();
		assertThat(given.get("modelCalls").asInt()).isEqualTo(1);
		assertThat(meanSquaredError(decode(pngs(given).get(0)), clean))
			.isLessThan(meanSquaredError(decode(input), clean) / 3);
		JsonNode estimated = HttpTestClient.json(this.http.postJson("/denoise",
				"{\"image\":\"" + base64(input) + "\",\"method\":\"sample\",\"steps\":4,\"seed\":2}"));
		assertThat(estimated.get("noiseLevelEstimated").asBoolean()).isTrue();
		assertThat(estimated.get("noiseLevel").asDouble()).isBetween(25.0, 100.0);
		assertThat(estimated.get("modelCalls").asInt()).isEqualTo(4);
	}

	@Test
	void answersWithThePngItselfAndStreamsProgress() throws Exception {
		HttpResponse<byte[]> png = this.http.sendForBytes(
				this.http
					.multipart("/super-resolution", files("image", png(14, 14, (x, y) -> x * 9)),
							fields("steps", "6", "seed", "1"))
					.header("Accept", "image/png"));
		assertThat(png.statusCode()).isEqualTo(200);
		assertThat(png.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("image/png");
		assertThat(decode(png.body()).getWidth()).isEqualTo(28);
		String body = "{\"image\":\"" + base64(images.get(3).png()) + "\",\"strength\":0.8,\"steps\":10,"
				+ "\"seed\":6,\"previewEvery\":4}";
		HttpResponse<InputStream> stream = this.http.openEventStream("/img2img", body);
		assertThat(stream.statusCode()).isEqualTo(200);
		List<String[]> events = readEvents(stream.body(), Integer.MAX_VALUE);
		assertThat(events.stream().filter((event) -> event[0].equals("progress")).count()).isEqualTo(8);
		assertThat(events.stream().filter((event) -> event[0].equals("preview")).count()).isEqualTo(1);
		String[] last = events.get(events.size() - 1);
		assertThat(last[0]).isEqualTo("result");
		assertThat(HttpTestClient.json(last[1])).isEqualTo(HttpTestClient.json(this.http.postJson("/img2img", body)));
	}

	@Test
	void refusesWhatAModeCannotUseNamingTheField() {
		byte[] image = images.get(0).png();
		byte[] mask = png(28, 28, (x, y) -> (y > 20) ? 255 : 0);
		assertInvalid(this.http.send(this.http.multipart("/inpaint", files("image", image), fields())), "mask");
		assertInvalid(this.http
			.send(this.http.multipart("/inpaint", files("image", image, "mask", png(14, 14, (x, y) -> 255)), fields())),
				"same size");
		assertInvalid(this.http
			.send(this.http.multipart("/inpaint", files("image", image, "mask", png(28, 28, (x, y) -> 0)), fields())),
				"nothing to inpaint");
		assertInvalid(this.http
			.send(this.http.multipart("/inpaint", files("image", image, "mask", mask), fields("sampler", "euler"))),
				"ddim or ddpm");
		assertInvalid(this.http
			.send(this.http.multipart("/inpaint", files("image", image, "mask", mask), fields("strength", "0.5"))),
				"'strength' does not apply to /inpaint");
		assertInvalid(this.http.send(this.http.multipart("/img2img", files("image", image), fields("strenght", "1"))),
				"Unknown parameter 'strenght'");
		assertInvalid(this.http.send(this.http.multipart("/img2img", files("image", image), fields("strength", "2"))),
				"strength");
		assertInvalid(this.http.send(this.http.multipart("/img2img", files("image", image), fields("count", "two"))),
				"count");
		assertInvalid(this.http.send(this.http.multipart("/denoise", files("image", image, "mask", mask), fields())),
				"Only /inpaint takes a mask");
		assertInvalid(this.http.send(this.http.multipart("/denoise", files("image", image), fields("steps", "5"))),
				"method 'sample' only");
		assertInvalid(this.http.send(this.http.multipart("/super-resolution", files("image", image), fields())),
				"14x14 (x2)");
		assertInvalid(
				this.http
					.send(this.http.multipart("/super-resolution", files("image", png(10, 10, (x, y) -> 0)), fields())),
				"divide");
		assertInvalid(this.http.postJson("/img2img", "{\"image\":\"not base64!\"}"), "base64");
		assertInvalid(this.http.postJson("/img2img", "{\"strength\":0.5}"), "'image'");
		assertInvalid(this.http.postJson("/img2img", "{\"image\":\"" + base64(image) + "\",\"eta\":3}"), "eta");
		HttpResponse<String> notAnImage = this.http.postJson("/denoise",
				"{\"image\":\"" + base64(new byte[10]) + "\"}");
		assertThat(notAnImage.statusCode()).isEqualTo(400);
		assertThat(notAnImage.body()).contains("INVALID_IMAGE");
	}

	@Test
	void jobsOfEveryModeShareTicksAndKeepTheirAnswers() throws Exception {
		byte[] image = images.get(1).png();
		byte[] mask = png(28, 28, (x, y) -> (x > 14) ? 255 : 0);
		List<java.util.function.Supplier<HttpResponse<String>>> requests = List.of(
				() -> this.http.send(this.http.multipart("/inpaint", files("image", image, "mask", mask),
						fields("steps", "20", "resampleCount", "1", "seed", "1"))),
				() -> this.http.send(this.http.multipart("/super-resolution",
						files("image", png(14, 14, (x, y) -> (x + y) * 8)), fields("steps", "20", "seed", "2"))),
				() -> this.http.send(this.http.multipart("/img2img", files("image", image),
						fields("strength", "1", "steps", "20", "seed", "3"))),
				() -> this.http.send(this.http.multipart("/denoise", files("image", image),
						fields("noiseLevel", "200", "method", "sample", "steps", "20", "seed", "4"))),
				() -> this.http.postJson("/generate", "{\"steps\":20,\"seed\":5}"));
		List<JsonNode> solo = new ArrayList<>();
		for (var request : requests) {
			solo.add(HttpTestClient.json(request.get()));
		}
		double sharedTicksBefore = ticksLargerThan(1);
		ExecutorService clients = Executors.newFixedThreadPool(requests.size());
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<JsonNode>> together = new ArrayList<>();
			for (var request : requests) {
				together.add(clients.submit(() -> {
					start.await();
					return HttpTestClient.json(request.get());
				}));
			}
			start.countDown();
			for (int i = 0; i < requests.size(); i++) {
				assertThat(together.get(i).get(300, TimeUnit.SECONDS).get("images")).as("request %d", i)
					.isEqualTo(solo.get(i).get("images"));
			}
		}
		finally {
			clients.shutdownNow();
		}
		// Every job here is unguided: one row per tick alone, so a larger tick mixed
		// modes.
		assertThat(ticksLargerThan(1)).isGreaterThan(sharedTicksBefore);
		String metrics = this.http.get("/actuator/prometheus").body();
		for (String mode : List.of("inpaint", "super-resolution", "denoise", "img2img", "generate")) {
			assertThat(Metrics.valueOrZero(metrics, "visionserve_diffusion_steps_total", "mode=\"" + mode + "\""))
				.as(mode)
				.isPositive();
		}
		assertThat(
				this.http.metric("visionserve_requests_total", "endpoint=\"super-resolution\"", "outcome=\"success\""))
			.isPositive();
	}

	private double ticksLargerThan(int rows) {
		String metrics = this.http.get("/actuator/prometheus").body();
		return Metrics.valueOrZero(metrics, "visionserve_diffusion_tick_rows_count", "model=\"fashion-ddpm\"")
				- Metrics.valueOrZero(metrics, "visionserve_diffusion_tick_rows_bucket", "model=\"fashion-ddpm\"",
						"le=\"" + rows + ".0\"");
	}

	private static void assertInvalid(HttpResponse<String> response, String detailPart) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
		assertThat(HttpTestClient.json(response.body()).get("detail").asString()).contains(detailPart);
	}

	private static void assertSamePixels(BufferedImage actual, BufferedImage expected) {
		for (int y = 0; y < expected.getHeight(); y++) {
			for (int x = 0; x < expected.getWidth(); x++) {
				assertThat(actual.getRaster().getSample(x, y, 0)).isEqualTo(expected.getRaster().getSample(x, y, 0));
			}
		}
	}

	private static int boxMean(BufferedImage image, int x, int y, int factor) {
		int sum = 0;
		for (int dy = 0; dy < factor; dy++) {
			for (int dx = 0; dx < factor; dx++) {
				sum += image.getRaster().getSample(x * factor + dx, y * factor + dy, 0);
			}
		}
		return Math.round(sum / (float) (factor * factor));
	}

	private static double meanSquaredError(BufferedImage a, BufferedImage b) {
		double sum = 0;
		for (int y = 0; y < 28; y++) {
			for (int x = 0; x < 28; x++) {
				double d = a.getRaster().getSample(x, y, 0) - b.getRaster().getSample(x, y, 0);
				sum += d * d;
			}
		}
		return sum / (28 * 28);
	}

	/** A grayscale PNG whose pixel (x, y) is {@code value(x, y)}. */
	static byte[] png(int width, int height, IntBinaryOperator value) {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				image.getRaster().setSample(x, y, 0, value.applyAsInt(x, y));
			}
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try {
			ImageIO.write(image, "png", out);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

	private static String base64(byte[] bytes) {
		return Base64.getEncoder().encodeToString(bytes);
	}

	private static Map<String, byte[]> files(Object... namesAndBytes) {
		Map<String, byte[]> files = new LinkedHashMap<>();
		for (int i = 0; i < namesAndBytes.length; i += 2) {
			files.put((String) namesAndBytes[i], (byte[]) namesAndBytes[i + 1]);
		}
		return files;
	}

	private static Map<String, String> fields(String... namesAndValues) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			fields.put(namesAndValues[i], namesAndValues[i + 1]);
		}
		return fields;
	}

}
