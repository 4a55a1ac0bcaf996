package dev.visionserve.classify;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.FashionMnistImages.LabeledImage;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.Metrics;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real server on a random port, serving the shipped model from {@code models/} with
 * real ONNX Runtime sessions.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ClassifyIntegrationTests extends ServerIntegrationTests {

	@Test
	void classifiesRealFashionMnistTestImagesAccurately() throws Exception {
		List<LabeledImage> images = FashionMnistImages.load();
		int correct = 0;
		for (int start = 0; start < images.size(); start += 30) {
			List<LabeledImage> chunk = images.subList(start, start + 30);
			HttpResponse<String> response = this.http.postMultipart("/classify?topK=1",
					chunk.stream().map(LabeledImage::png).toList());
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			JsonNode results = HttpTestClient.json(response).get("results");
			assertThat(results.size()).isEqualTo(chunk.size());
			for (int i = 0; i < chunk.size(); i++) {
				if (results.get(i).get("predictions").get(0).get("index").asInt() == chunk.get(i).label()) {
					correct++;
				}
			}
		}
		double accuracy = (double) correct / images.size();
		System.out.printf("fashion-resnet accuracy on %d committed test images: %.4f%n", images.size(), accuracy);
		assertThat(accuracy).isGreaterThanOrEqualTo(0.93);
	}

	@Test
	void answersWithLabelsIndicesAndProbabilities() throws Exception {
		LabeledImage sneaker = FashionMnistImages.load().stream().filter((i) -> i.label() == 7).findFirst().get();
		HttpResponse<String> response = this.http.postMultipart("/classify", List.of(sneaker.png()));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/json"));
		JsonNode body = HttpTestClient.json(response);
		assertThat(body.get("model").asString()).isEqualTo("fashion-resnet");
		JsonNode predictions = body.get("results").get(0).get("predictions");
		assertThat(predictions.size()).isEqualTo(5);
		assertThat(predictions.get(0).get("label").asString()).isEqualTo("Sneaker");
		assertThat(predictions.get(0).get("index").asInt()).isEqualTo(7);
		double previous = 1.0;
		double sum = 0;
		for (JsonNode prediction : predictions) {
			double probability = prediction.get("probability").asDouble();
			assertThat(probability).isBetween(0.0, previous);
			previous = probability;
			sum += probability;
		}
		assertThat(sum).isLessThanOrEqualTo(1.0 + 1e-9);
	}

	@Test
	void acceptsARawImageBodyAndAnswersAsForAnUpload() throws Exception {
		LabeledImage image = FashionMnistImages.load().get(0);
		HttpResponse<String> raw = this.http.postBody("/classify?topK=3&model=fashion-resnet", "image/png",
				image.png());
		HttpResponse<String> upload = this.http.postMultipart("/classify?topK=3", List.of(image.png()));
		assertThat(raw.statusCode()).as(raw.body()).isEqualTo(200);
		assertThat(HttpTestClient.json(raw)).isEqualTo(HttpTestClient.json(upload));
		assertThat(HttpTestClient.json(raw).get("results").get(0).get("predictions").size()).isEqualTo(3);
	}

	@Test
	void sixtyFourConcurrentClientsGetExactlyTheAnswersTheyGetAlone() throws Exception {
		List<LabeledImage> images = FashionMnistImages.load().subList(0, 64);
		List<JsonNode> alone = new ArrayList<>();
		for (LabeledImage image : images) {
			alone.add(HttpTestClient.json(this.http.postMultipart("/classify", List.of(image.png()))));
		}
		double batchesBefore = batchesLargerThanOne();
		ExecutorService clients = Executors.newFixedThreadPool(64);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<List<JsonNode>>> answers = new ArrayList<>();
			for (LabeledImage image : images) {
				answers.add(clients.submit(() -> {
					start.await();
					List<JsonNode> mine = new ArrayList<>();
					for (int round = 0; round < 5; round++) {
						HttpResponse<String> response = this.http.postMultipart("/classify", List.of(image.png()));
						assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
						mine.add(HttpTestClient.json(response));
					}
					return mine;
				}));
			}
			start.countDown();
			for (int i = 0; i < images.size(); i++) {
				for (JsonNode answer : answers.get(i).get(120, TimeUnit.SECONDS)) {
					assertThat(answer).isEqualTo(alone.get(i));
				}
			}
		}
		finally {
			clients.shutdownNow();
		}
		assertThat(batchesLargerThanOne()).as("batches of more than one row formed under load")
			.isGreaterThan(batchesBefore);
	}

	@Test
	void keepsTheOrderOfManyImagesInOneRequestAcrossJobs() throws Exception {
		// 40 images exceed maxBatchSize 32, so the request travels as two jobs that must
		// come back in order.
		List<LabeledImage> images = FashionMnistImages.load().subList(100, 140);
		JsonNode together = HttpTestClient
			.json(this.http.postMultipart("/classify?topK=1", images.stream().map(LabeledImage::png).toList()));
		for (int i = 0; i < images.size(); i += 7) {
			JsonNode alone = HttpTestClient
				.json(this.http.postMultipart("/classify?topK=1", List.of(images.get(i).png())));
			assertThat(together.get("results").get(i)).isEqualTo(alone.get("results").get(0));
		}
	}

	/**
	 * Batches with more than one row so far: all batches minus those in the
	 * {@code le="1"} bucket.
	 */
	private double batchesLargerThanOne() {
		String metrics = this.http.get("/actuator/prometheus").body();
		return Metrics.value(metrics, "visionserve_batch_size_count", "model=\"fashion-resnet\"")
				- Metrics.value(metrics, "visionserve_batch_size_bucket", "model=\"fashion-resnet\"", "le=\"1.0\"");
	}

}
