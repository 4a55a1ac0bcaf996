package dev.visionserve.web;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.HttpTestClient;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What operators and API explorers meet besides /classify: the model listing, actuator,
 * metrics and OpenAPI.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServiceEndpointsIntegrationTests extends ServerIntegrationTests {

	@Test
	void listsModelsWithTensorsLabelsDevicesAndBatching() {
		HttpResponse<String> response = this.http.get("/models");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode models = HttpTestClient.json(response);
		JsonNode model = null;
		for (JsonNode candidate : models) {
			if (candidate.get("name").asString().equals("fashion-resnet")) {
				model = candidate;
			}
		}
		assertThat(model).isNotNull();
		assertThat(HttpTestClient.json(this.http.get("/models/fashion-resnet"))).isEqualTo(model);
		assertThat(model.get("state").asString()).isEqualTo("READY");
		assertThat(model.get("kind").asString()).isEqualTo("classifier");
		assertThat(model.get("inputs").get(0).get("name").asString()).isEqualTo("input");
		assertThat(model.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,1,28,28]");
		assertThat(model.get("outputs").get(0).get("shape").toString()).isEqualTo("[-1,10]");
		assertThat(model.get("labels").size()).isEqualTo(10);
		assertThat(model.get("labels").get(7).asString()).isEqualTo("Sneaker");
		assertThat(model.get("devices").toString()).isEqualTo("[\"cpu\"]");
		assertThat(model.get("instancesPerDevice").asInt()).isEqualTo(2);
		assertThat(model.get("sessions").size()).isEqualTo(2);
		assertThat(model.get("sessions").get(0).get("device").asString()).isEqualTo("cpu");
		assertThat(model.get("sessions").get(0).get("intraOpThreads").asInt()).isEqualTo(1);
		assertThat(model.get("batching").get("maxBatchSize").asInt()).isEqualTo(32);
		assertThat(model.get("preprocessing").get("colorMode").asString()).isEqualTo("GRAYSCALE");
	}

	@Test
	void reportsModelStatesInTheReadinessGroup() {
		JsonNode readiness = HttpTestClient.json(this.http.get("/actuator/health/readiness"));
		assertThat(readiness.get("status").asString()).isEqualTo("UP");
		JsonNode models = readiness.get("components").get("models");
		assertThat(models.get("details").get("models").get("fashion-resnet").get("state").asString())
			.isEqualTo("READY");
		JsonNode liveness = HttpTestClient.json(this.http.get("/actuator/health/liveness"));
		assertThat(liveness.get("status").asString()).isEqualTo("UP");
		assertThat(liveness.has("components") && liveness.get("components").has("models")).isFalse();
	}

	@Test
	void publishesBuildInfo() {
		JsonNode info = HttpTestClient.json(this.http.get("/actuator/info"));
		assertThat(info.get("build").get("artifact").asString()).isEqualTo("visionserve");
		assertThat(info.get("build").get("version").asString()).isNotBlank();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/actuator/env", "/actuator/beans", "/actuator/configprops", "/actuator/heapdump",
			"/actuator/threaddump", "/actuator/loggers", "/actuator/metrics", "/actuator/shutdown" })
	void exposesNothingElseOfActuator(String path) {
		assertThat(this.http.get(path).statusCode()).isEqualTo(404);
	}

	@Test
	void exportsEveryDocumentedMetric() throws Exception {
		assertThat(this.http.postMultipart("/classify", List.of(FashionMnistImages.load().get(0).png())).statusCode())
			.isEqualTo(200);
		this.http.postMultipart("/classify?model=nope", List.of(FashionMnistImages.load().get(0).png()));
		assertThat(this.http.postJson("/generate", "{\"label\":\"Bag\",\"steps\":2}").statusCode()).isEqualTo(200);
		String metrics = this.http.get("/actuator/prometheus").body();
		assertThat(metrics).contains(
				"visionserve_requests_total{application=\"visionserve\",endpoint=\"classify\",model=\"fashion-resnet\",outcome=\"success\"}",
				"visionserve_requests_total{application=\"visionserve\",endpoint=\"classify\",model=\"unknown\",outcome=\"unknown_model\"}",
				"visionserve_request_seconds_bucket{application=\"visionserve\",endpoint=\"classify\",model=\"fashion-resnet\"",
				"visionserve_queue_depth{application=\"visionserve\",model=\"fashion-resnet\"}",
				"visionserve_queue_wait_seconds_bucket{application=\"visionserve\",model=\"fashion-resnet\"",
				"visionserve_inference_seconds_bucket{application=\"visionserve\",device=\"cpu\",model=\"fashion-resnet\"",
				"visionserve_batch_size_bucket{application=\"visionserve\",model=\"fashion-resnet\"",
				"visionserve_rejected_total{application=\"visionserve\",model=\"fashion-resnet\",reason=\"queue_full\"}",
				"visionserve_requests_total{application=\"visionserve\",endpoint=\"generate\",model=\"fashion-ddpm\",outcome=\"success\"}",
				"visionserve_request_seconds_bucket{application=\"visionserve\",endpoint=\"generate\",model=\"fashion-ddpm\"",
				"visionserve_diffusion_steps_total{application=\"visionserve\",mode=\"generate\",model=\"fashion-ddpm\",sampler=\"unipc-karras\"}",
				"visionserve_diffusion_active_jobs{application=\"visionserve\",model=\"fashion-ddpm\"}",
				"visionserve_diffusion_tick_rows_bucket{application=\"visionserve\",model=\"fashion-ddpm\"",
				"visionserve_diffusion_job_seconds_bucket{application=\"visionserve\",mode=\"generate\",model=\"fashion-ddpm\",sampler=\"unipc-karras\"",
				"visionserve_batch_size_bucket{application=\"visionserve\",model=\"fashion-ddpm\"",
				"visionserve_inference_seconds_bucket{application=\"visionserve\",device=\"cpu\",model=\"fashion-ddpm\"");
	}

	@Test
	void documentsTheApiForSwaggerUi() {
		JsonNode api = HttpTestClient.json(this.http.get("/v3/api-docs"));
		JsonNode classify = api.get("paths").get("/classify").get("post");
		assertThat(classify.get("summary").asString()).isNotBlank();
		JsonNode multipart = classify.get("requestBody").get("content").get("multipart/form-data");
		assertThat(multipart.toString()).contains("\"format\":\"binary\"");
		assertThat(classify.get("responses").propertyNames()).contains("200", "400", "404", "413", "415", "429", "503");
		assertThat(api.get("paths").get("/models").get("get").get("summary").asString()).isNotBlank();
		JsonNode generate = api.get("paths").get("/generate").get("post");
		assertThat(generate.get("summary").asString()).isNotBlank();
		assertThat(generate.get("requestBody").get("content").has("application/json")).isTrue();
		assertThat(generate.get("responses").get("200").get("content").propertyNames()).contains("application/json",
				"image/png", "text/event-stream");
		assertThat(generate.get("responses").get("200").get("content").get("text/event-stream").toString())
			.contains("event:progress", "event:result");
		assertThat(generate.get("responses").propertyNames()).contains("400", "404", "429", "503");
		assertThat(api.get("paths").get("/models/{name}").get("get").get("summary").asString()).isNotBlank();
		HttpResponse<String> ui = this.http.get("/swagger-ui/index.html");
		assertThat(ui.statusCode()).isEqualTo(200);
		assertThat(ui.body()).contains("swagger-ui");
		assertThat(this.http.get("/swagger-ui.html").statusCode()).isIn(200, 302);
	}

}
