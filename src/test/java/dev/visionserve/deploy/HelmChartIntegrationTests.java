package dev.visionserve.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.web.ApiKeys;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Helm chart under {@code helm/visionserve}, linted and rendered by real Helm
 * (helm-java's native library) and checked against the running application: the probes
 * ask for paths this server answers, the ports agree with its configuration, and every
 * metric the dashboard, the alerts and the autoscaler read is one it exports.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HelmChartIntegrationTests extends ServerIntegrationTests {

	private static final Path CHART = Path.of("helm", "visionserve");

	private static final Path GPU_VALUES = CHART.resolve("values-gpu.yaml");

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String APP = "visionserve";

	private static Set<String> exportedMetrics;

	@Value("${spring.lifecycle.timeout-per-shutdown-phase}")
	private Duration shutdownPhaseTimeout;

	@Value("${visionserve.shutdown.drain-timeout:45s}")
	private Duration drainTimeout;

	@Test
	void lintsStrictlyWithTheDefaultValues() {
		assertLintsClean(new Helm(CHART).lint().strict().call());
	}

	@Test
	void lintsStrictlyWithTheGpuValues(@TempDir Path copy) throws IOException {
		// helm-java's lint takes no values file; Helm lints a chart with its values.yaml,
		// so
		// lint a copy whose values.yaml is the defaults overlaid with values-gpu.yaml the
		// way
		// Helm merges -f files (maps merge, anything else replaces, null removes).
		copyChart(copy);
		ObjectNode values = (ObjectNode) YAML.readTree(CHART.resolve("values.yaml").toFile());
		JsonNode gpu = YAML.readTree(GPU_VALUES.toFile());
		overlay(values, gpu);
		Files.writeString(copy.resolve("values.yaml"), YAML.writeValueAsString(values));
		assertThat(values.at("/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(1);
		assertLintsClean(new Helm(copy).lint().strict().call());
	}

	@Test
	void probesAskForHealthGroupsThisServerAnswers() {
		JsonNode container = appContainer(render(UnaryOperator.identity()));
		String startup = container.at("/startupProbe/httpGet/path").asString();
		String liveness = container.at("/livenessProbe/httpGet/path").asString();
		String readiness = container.at("/readinessProbe/httpGet/path").asString();
		assertThat(liveness).isEqualTo("/actuator/health/liveness");
		assertThat(readiness).isEqualTo("/actuator/health/readiness");
		assertThat(startup).isEqualTo(liveness);
		for (String path : List.of(startup, liveness, readiness)) {
			HttpResponse<String> response = this.http.get(path);
			assertThat(response.statusCode()).as("GET " + path).isEqualTo(200);
			assertThat(response.body()).contains("\"status\":\"UP\"");
		}
		for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
			assertThat(container.at("/" + probe + "/httpGet/port").asString()).isEqualTo("http");
		}
		// Liveness passes as soon as the port opens; the startup probe must allow for a
		// slow
		// JVM start before liveness may restart the pod.
		assertThat(container.at("/startupProbe/periodSeconds").asInt()
				* container.at("/startupProbe/failureThreshold").asInt())
			.isGreaterThanOrEqualTo(120);
	}

	@Test
	void servesOnThePortTheServiceTargetsAndTheApplicationConfigures() throws IOException {
		List<JsonNode> objects = render(UnaryOperator.identity());
		JsonNode container = appContainer(objects);
		JsonNode port = single(container.get("ports"));
		int applicationPort = applicationYaml().at("/server/port").asInt();
		assertThat(applicationPort).isEqualTo(8080);
		assertThat(port.get("containerPort").asInt()).isEqualTo(applicationPort);
		assertThat(env(container, "SERVER_PORT")).isEqualTo(String.valueOf(applicationPort));
		JsonNode servicePort = single(only(objects, "Service").at("/spec/ports"));
		JsonNode targetPort = servicePort.get("targetPort");
		int resolved = targetPort.isInt() ? targetPort.asInt()
				: namedPort(container, targetPort.asString()).get("containerPort").asInt();
		assertThat(resolved).isEqualTo(applicationPort);
		JsonNode selector = only(objects, "Service").at("/spec/selector");
		JsonNode podLabels = only(objects, "Deployment").at("/spec/template/metadata/labels");
		assertThat(selector.isEmpty()).isFalse();
		selector.properties()
			.forEach((label) -> assertThat(podLabels.get(label.getKey())).as(label.getKey())
				.isEqualTo(label.getValue()));
		assertThat(env(container, "JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=75");
	}

	@Test
	void runsAsNonRootOnAReadOnlyRootWithAWritableTmp() {
		List<JsonNode> objects = render(UnaryOperator.identity());
		JsonNode pod = only(objects, "Deployment").at("/spec/template/spec");
		JsonNode container = appContainer(objects);
		assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
		assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(10001);
		JsonNode security = container.get("securityContext");
		assertThat(security.get("runAsNonRoot").asBoolean()).isTrue();
		assertThat(security.get("readOnlyRootFilesystem").asBoolean()).isTrue();
		assertThat(security.get("allowPrivilegeEscalation").asBoolean()).isFalse();
		assertThat(strings(security.at("/capabilities/drop"))).containsExactly("ALL");
		assertThat(pod.at("/securityContext/runAsGroup").asInt()).isEqualTo(10001);
		assertThat(pod.at("/securityContext/seccompProfile/type").asString()).isEqualTo("RuntimeDefault");
		assertThat(security.has("privileged") && security.get("privileged").asBoolean()).isFalse();
		assertThat(security.at("/capabilities").has("add")).isFalse();
		JsonNode tmp = mount(container, "/tmp");
		assertThat(tmp.path("readOnly").asBoolean(false)).isFalse();
		JsonNode tmpVolume = volume(pod, tmp.get("name").asString());
		assertThat(tmpVolume.has("emptyDir")).isTrue();
		assertThat(tmpVolume.at("/emptyDir/sizeLimit").asString()).isEqualTo("1Gi");
		// Every other mount is read-only: /tmp is the only place the process can write.
		container.get("volumeMounts")
			.valueStream()
			.filter((each) -> !each.get("mountPath").asString().equals("/tmp"))
			.forEach((each) -> assertThat(each.path("readOnly").asBoolean(false)).as(each.toString()).isTrue());
		assertThat(pod.get("automountServiceAccountToken").asBoolean()).isFalse();
	}

	@Test
	void movesActuatorToItsOwnPortWithTheProbesTheServiceAndTheScrape() {
		List<JsonNode> shared = render((template) -> template.set("serviceMonitor.enabled", true));
		assertThat(envNames(appContainer(shared))).doesNotContain("MANAGEMENT_SERVER_PORT");
		assertThat(single(only(shared, "ServiceMonitor").at("/spec/endpoints")).get("port").asString())
			.isEqualTo("http");

		List<JsonNode> objects = render(
				(template) -> template.set("managementPort", 9090).set("serviceMonitor.enabled", true));
		JsonNode container = appContainer(objects);
		assertThat(env(container, "MANAGEMENT_SERVER_PORT")).isEqualTo("9090");
		assertThat(namedPort(container, "management").get("containerPort").asInt()).isEqualTo(9090);
		assertThat(namedPort(container, "http").get("containerPort").asInt()).isEqualTo(8080);
		for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
			assertThat(container.at("/" + probe + "/httpGet/port").asString()).as(probe).isEqualTo("management");
		}
		JsonNode servicePorts = only(objects, "Service").at("/spec/ports");
		JsonNode management = servicePorts.valueStream()
			.filter((port) -> "management".equals(port.get("name").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no management port in " + servicePorts));
		assertThat(management.get("port").asInt()).isEqualTo(9090);
		assertThat(management.get("targetPort").asString()).isEqualTo("management");
		JsonNode endpoint = single(only(objects, "ServiceMonitor").at("/spec/endpoints"));
		assertThat(endpoint.get("port").asString()).isEqualTo("management");
		assertThat(endpoint.get("path").asString()).isEqualTo("/actuator/prometheus");
	}

	@Test
	void mountsApiKeysFromTheChartsOwnSecretReadOnly(@TempDir Path dir) throws IOException {
		List<JsonNode> none = render(UnaryOperator.identity());
		assertThat(kinds(none)).doesNotContain("Secret");
		assertThat(envNames(appContainer(none))).doesNotContain("VISIONSERVE_SECURITY_API_KEYS_FILE");

		List<JsonNode> objects = render((template) -> template.set("apiKeys.keys[0]", "first-key-1a2b")
			.set("apiKeys.keys[1]", "second-key-3c4d"));
		JsonNode secret = only(objects, "Secret", APP + "-api-keys");
		assertMountedAsTheKeysFile(objects);
		assertThat(only(objects, "Deployment").at("/spec/template/metadata/annotations").has("checksum/api-keys"))
			.isTrue();
		// What the application will read from the mounted file.
		Path mounted = Files.write(dir.resolve("api-keys"),
				Base64.getDecoder().decode(secret.at("/data/api-keys").asString()));
		assertThat(ApiKeys.read(mounted)).containsExactly("first-key-1a2b", "second-key-3c4d");
	}

	@Test
	void mountsApiKeysFromAnExistingSecret() {
		List<JsonNode> objects = render((template) -> template.set("apiKeys.existingSecret", "inference-tokens")
			.set("apiKeys.secretKey", "tokens"));
		assertThat(kinds(objects)).doesNotContain("Secret");
		JsonNode pod = only(objects, "Deployment").at("/spec/template/spec");
		JsonNode volume = volume(pod, mount(appContainer(objects), "/etc/visionserve/api-keys").get("name").asString());
		assertThat(volume.at("/secret/secretName").asString()).isEqualTo("inference-tokens");
		assertThat(volume.at("/secret/items/0/key").asString()).isEqualTo("tokens");
		assertThat(env(appContainer(objects), "VISIONSERVE_SECURITY_API_KEYS_FILE"))
			.isEqualTo("/etc/visionserve/api-keys/" + volume.at("/secret/items/0/path").asString());
		assertThat(renderError((template) -> template.set("apiKeys.existingSecret", "inference-tokens")
			.set("apiKeys.keys[0]", "a-key"))).contains("existingSecret or keys");
	}

	/**
	 * Follows the file the application is told to read back to the chart's Secret: a
	 * read-only mount of a volume that projects the Secret's {@code api-keys} entry
	 * there.
	 */
	private static void assertMountedAsTheKeysFile(List<JsonNode> objects) {
		JsonNode container = appContainer(objects);
		JsonNode pod = only(objects, "Deployment").at("/spec/template/spec");
		Path file = Path.of(env(container, "VISIONSERVE_SECURITY_API_KEYS_FILE"));
		JsonNode mount = mount(container, file.getParent().toString());
		assertThat(mount.get("readOnly").asBoolean()).isTrue();
		JsonNode secret = volume(pod, mount.get("name").asString()).get("secret");
		assertThat(secret.get("secretName").asString()).isEqualTo(APP + "-api-keys");
		JsonNode item = single(secret.get("items"));
		assertThat(item.get("path").asString()).isEqualTo(file.getFileName().toString());
		assertThat(item.get("key").asString()).isEqualTo("api-keys");
	}

	@Test
	void fitsTheDrainIntoTheGracePeriodAfterThePreStopSleep() {
		JsonNode deployment = only(render(UnaryOperator.identity()), "Deployment");
		long grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
		long preStop = appContainer(List.of(deployment)).at("/lifecycle/preStop/sleep/seconds").asLong(0);
		Duration drain = Duration
			.parse("PT" + env(appContainer(List.of(deployment)), "VISIONSERVE_SHUTDOWN_DRAIN_TIMEOUT"));
		assertThat(grace).isEqualTo(60);
		assertThat(drain).isEqualTo(Duration.ofSeconds(45)).isEqualTo(this.drainTimeout);
		assertThat(preStop + drain.toSeconds() + 10).isLessThanOrEqualTo(grace);
		List<JsonNode> longer = render(
				(template) -> template.set("terminationGracePeriodSeconds", "130").set("preStopSleepSeconds", "10"));
		assertThat(env(appContainer(longer), "VISIONSERVE_SHUTDOWN_DRAIN_TIMEOUT")).isEqualTo("110s");
		// The web server's own graceful phase comes after the drain and finds nothing
		// left.
		assertThat(this.shutdownPhaseTimeout).isLessThanOrEqualTo(drain);
	}

	@Test
	void requestsAGpuOnGpuNodesOnlyWithTheGpuValues() {
		List<JsonNode> gpu = render((template) -> template.withValuesFile(GPU_VALUES));
		JsonNode gpuPod = only(gpu, "Deployment").at("/spec/template/spec");
		JsonNode gpuContainer = appContainer(gpu);
		assertThat(gpuContainer.at("/resources/limits").get("nvidia.com/gpu").asInt()).isEqualTo(1);
		assertThat(gpuPod.get("nodeSelector").isEmpty()).isFalse();
		assertThat(gpuPod.get("tolerations").valueStream().map((toleration) -> toleration.get("key").asString()))
			.contains("nvidia.com/gpu");
		assertThat(gpuContainer.get("image").asString()).isEqualTo("visionserve:" + chartAppVersion() + "-gpu");
		JsonNode overrides = YAML
			.readTree(only(gpu, "ConfigMap", APP + "-config").at("/data/application.yaml").asString());
		assertThat(overrides.at("/visionserve/require-gpu").asBoolean()).isTrue();

		List<JsonNode> cpu = render(UnaryOperator.identity());
		JsonNode cpuContainer = appContainer(cpu);
		assertThat(cpuContainer.at("/resources/limits").has("nvidia.com/gpu")).isFalse();
		assertThat(cpuContainer.at("/resources/requests").has("nvidia.com/gpu")).isFalse();
		assertThat(only(cpu, "Deployment").at("/spec/template/spec").has("nodeSelector")).isFalse();
		assertThat(cpuContainer.get("image").asString()).isEqualTo("visionserve:" + chartAppVersion());
	}

	@Test
	void mountsApplicationYamlOverridesWhereSpringLooksForThem() {
		List<JsonNode> objects = render((template) -> template.set("config.visionserve.default-classifier", "other"));
		JsonNode container = appContainer(objects);
		JsonNode pod = only(objects, "Deployment").at("/spec/template/spec");
		assertThat(env(container, "SPRING_CONFIG_ADDITIONAL_LOCATION")).isEqualTo("optional:file:/config/");
		JsonNode config = volume(pod, mount(container, "/config").get("name").asString());
		JsonNode configMap = only(objects, "ConfigMap", config.at("/configMap/name").asString());
		JsonNode overrides = YAML.readTree(configMap.at("/data/application.yaml").asString());
		assertThat(overrides.at("/visionserve/default-classifier").asString()).isEqualTo("other");
	}

	@Test
	void takesModelsFromTheImageAPvcOrADownload() {
		List<JsonNode> image = render(UnaryOperator.identity());
		JsonNode imageContainer = appContainer(image);
		assertThat(env(imageContainer, "VISIONSERVE_MODEL_REPOSITORY")).isEqualTo("/models");
		assertThat(mounts(imageContainer)).doesNotContain("/models");
		assertThat(only(image, "Deployment").at("/spec/template/spec").has("initContainers")).isFalse();

		List<JsonNode> pvc = render(
				(template) -> template.set("models.source", "pvc").set("models.pvc.claimName", "model-repository"));
		JsonNode pvcPod = only(pvc, "Deployment").at("/spec/template/spec");
		JsonNode pvcMount = mount(appContainer(pvc), "/models");
		assertThat(pvcMount.get("readOnly").asBoolean()).isTrue();
		assertThat(volume(pvcPod, pvcMount.get("name").asString()).at("/persistentVolumeClaim/claimName").asString())
			.isEqualTo("model-repository");
		assertThat(pvcPod.has("initContainers")).isFalse();

		String url = "https://models.example/visionserve-models.tar.gz";
		List<JsonNode> download = render(
				(template) -> template.set("models.source", "download").set("models.download.url", url));
		JsonNode downloadPod = only(download, "Deployment").at("/spec/template/spec");
		JsonNode init = single(downloadPod.get("initContainers"));
		assertThat(env(init, "MODELS_URL")).isEqualTo(url);
		assertThat(String.join(" ", strings(init.get("command")))).contains("wget").contains("tar -xz -C /models");
		JsonNode initMount = mount(init, "/models");
		JsonNode appMount = mount(appContainer(download), "/models");
		assertThat(appMount.get("name").asString()).isEqualTo(initMount.get("name").asString());
		assertThat(volume(downloadPod, initMount.get("name").asString()).has("emptyDir")).isTrue();
		assertThat(init.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
	}

	@Test
	void refusesAModelSourceWithoutWhatItNeeds() {
		assertThat(renderError((template) -> template.set("models.source", "download"))).contains("url");
		assertThat(renderError((template) -> template.set("models.source", "pvc"))).contains("claimName");
		assertThat(renderError((template) -> template.set("models.source", "s3"))).contains("source");
	}

	@Test
	void dashboardQueriesOnlyMetricsThisServerExports() {
		JsonNode configMap = only(render(UnaryOperator.identity()), "ConfigMap", APP + "-dashboard");
		assertThat(configMap.at("/metadata/labels").has("grafana_dashboard")).isTrue();
		JsonNode dashboard = JSON.readTree(configMap.at("/data/visionserve.json").asString());
		assertThat(dashboard.get("uid").asString()).isEqualTo(APP);
		List<String> queries = new ArrayList<>();
		for (JsonNode panel : dashboard.get("panels")) {
			assertThat(panel.get("targets").isEmpty()).as(panel.get("title").asString()).isFalse();
			panel.get("targets").forEach((target) -> queries.add(target.get("expr").asString()));
		}
		for (JsonNode variable : dashboard.at("/templating/list")) {
			if ("query".equals(variable.get("type").asString())) {
				queries.add(variable.at("/query/query").asString());
			}
		}
		Set<String> used = assertReadOnlyExportedMetrics(queries);
		assertThat(used).contains("visionserve_requests_total", "visionserve_request_seconds_bucket",
				"visionserve_queue_depth", "visionserve_batch_size_sum", "visionserve_diffusion_tick_rows_sum",
				"visionserve_diffusion_steps_total", "visionserve_rejected_total", "jvm_memory_used_bytes");
	}

	@Test
	void alertsAndAutoscalingReadOnlyMetricsThisServerExports() {
		List<JsonNode> objects = render((template) -> template.set("serviceMonitor.enabled", true)
			.set("prometheusRule.enabled", true)
			.set("autoscaling.queueDepth.enabled", true));
		JsonNode monitor = only(objects, "ServiceMonitor");
		JsonNode endpoint = single(monitor.at("/spec/endpoints"));
		assertThat(endpoint.get("port").asString()).isEqualTo("http");
		assertThat(this.http.get(endpoint.get("path").asString()).statusCode()).isEqualTo(200);

		List<String> queries = new ArrayList<>();
		List<String> alerts = new ArrayList<>();
		for (JsonNode group : only(objects, "PrometheusRule").at("/spec/groups")) {
			for (JsonNode rule : group.get("rules")) {
				alerts.add(rule.get("alert").asString());
				queries.add(rule.get("expr").asString());
			}
		}
		assertThat(alerts).contains("VisionServeQueueSaturated", "VisionServeErrorRatioHigh",
				"VisionServeLatencyP99High");
		assertThat(assertReadOnlyExportedMetrics(queries)).contains("visionserve_queue_depth",
				"visionserve_requests_total", "visionserve_request_seconds_bucket");

		JsonNode hpa = only(objects, "HorizontalPodAutoscaler");
		List<String> hpaMetrics = new ArrayList<>();
		for (JsonNode metric : hpa.at("/spec/metrics")) {
			if (metric.get("type").asString().equals("Pods")) {
				hpaMetrics.add(metric.at("/pods/metric/name").asString());
			}
			else {
				assertThat(metric.at("/resource/name").asString()).isEqualTo("cpu");
			}
		}
		assertThat(hpaMetrics).containsExactly("visionserve_queue_depth");
		assertThat(exportedMetrics()).containsAll(hpaMetrics);
	}

	@Test
	void scalesOnCpuByDefaultAndKeepsAReplicaThroughDisruptions() {
		List<JsonNode> objects = render(UnaryOperator.identity());
		JsonNode metric = single(only(objects, "HorizontalPodAutoscaler").at("/spec/metrics"));
		assertThat(metric.at("/resource/name").asString()).isEqualTo("cpu");
		assertThat(only(objects, "HorizontalPodAutoscaler").at("/spec/scaleTargetRef/name").asString())
			.isEqualTo(only(objects, "Deployment").at("/metadata/name").asString());
		assertThat(only(objects, "Deployment").at("/spec").has("replicas")).isFalse();
		assertThat(only(objects, "PodDisruptionBudget").at("/spec/selector/matchLabels"))
			.isEqualTo(only(objects, "Deployment").at("/spec/selector/matchLabels"));
		assertThat(kinds(objects)).doesNotContain("ServiceMonitor", "PrometheusRule");
	}

	/**
	 * Checks each query against a live scrape.
	 * @return every metric the queries read
	 */
	private Set<String> assertReadOnlyExportedMetrics(List<String> queries) {
		assertThat(queries).isNotEmpty();
		Set<String> exported = exportedMetrics();
		Set<String> used = new TreeSet<>();
		for (String query : queries) {
			Set<String> names = PromQl.metricNames(query);
			assertThat(names).as("metrics read by " + query).isNotEmpty();
			assertThat(exported).as("metrics exported, for " + query).containsAll(names);
			used.addAll(names);
		}
		return used;
	}

	/**
	 * Series names of a live scrape after one classification and one generation, so that
	 * the metrics created on first use exist too.
	 */
	private Set<String> exportedMetrics() {
		synchronized (HelmChartIntegrationTests.class) {
			if (exportedMetrics == null) {
				byte[] png;
				try {
					png = FashionMnistImages.load().get(0).png();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				assertThat(this.http.postMultipart("/classify", List.of(png)).statusCode()).isEqualTo(200);
				assertThat(this.http.postJson("/generate", "{\"label\":\"Bag\",\"steps\":2}").statusCode())
					.isEqualTo(200);
				HttpResponse<String> scrape = this.http.get("/actuator/prometheus");
				assertThat(scrape.statusCode()).isEqualTo(200);
				exportedMetrics = scrape.body()
					.lines()
					.filter((line) -> !line.isBlank() && !line.startsWith("#"))
					.map((line) -> line.split("[{ ]", 2)[0])
					.collect(Collectors.toCollection(TreeSet::new));
				assertThat(scrape.body()).contains("application=\"visionserve\"");
			}
			return exportedMetrics;
		}
	}

	private static void assertLintsClean(LintResult result) {
		assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
		assertThat(result.getMessages()).noneMatch((message) -> message.contains("[ERROR]"))
			.noneMatch((message) -> message.contains("[WARNING]"));
	}

	private static List<JsonNode> render(UnaryOperator<TemplateCommand> values) {
		String manifests = values.apply(new Helm(CHART).template().withName(APP).withNamespace("inference")).call();
		List<JsonNode> objects = new ArrayList<>();
		for (JsonNode document : YAML.readerFor(JsonNode.class).<JsonNode>readValues(manifests).readAll()) {
			if (document != null && document.isObject() && document.has("kind")) {
				objects.add(document);
			}
		}
		assertThat(objects).isNotEmpty();
		return objects;
	}

	private static String renderError(UnaryOperator<TemplateCommand> values) {
		try {
			render(values);
		}
		catch (IllegalStateException ex) {
			return ex.getMessage();
		}
		throw new AssertionError("rendered without an error");
	}

	private static List<String> kinds(List<JsonNode> objects) {
		return objects.stream().map((object) -> object.get("kind").asString()).toList();
	}

	private static JsonNode only(List<JsonNode> objects, String kind) {
		List<JsonNode> found = objects.stream().filter((object) -> kind.equals(object.get("kind").asString())).toList();
		assertThat(found).as(kind + " among " + kinds(objects)).hasSize(1);
		return found.get(0);
	}

	private static JsonNode only(List<JsonNode> objects, String kind, String name) {
		List<JsonNode> found = objects.stream()
			.filter((object) -> kind.equals(object.get("kind").asString())
					&& name.equals(object.at("/metadata/name").asString()))
			.toList();
		assertThat(found).as(kind + " " + name + " among " + kinds(objects)).hasSize(1);
		return found.get(0);
	}

	private static JsonNode appContainer(List<JsonNode> objects) {
		JsonNode containers = only(objects, "Deployment").at("/spec/template/spec/containers");
		return containers.valueStream()
			.filter((container) -> APP.equals(container.get("name").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no container " + APP + " in " + containers));
	}

	private static JsonNode single(JsonNode array) {
		assertThat(array.isArray()).as(String.valueOf(array)).isTrue();
		assertThat(array.size()).as(String.valueOf(array)).isEqualTo(1);
		return array.get(0);
	}

	private static String env(JsonNode container, String name) {
		return container.get("env")
			.valueStream()
			.filter((variable) -> name.equals(variable.get("name").asString()))
			.map((variable) -> variable.get("value").asString())
			.findFirst()
			.orElseThrow(() -> new AssertionError("no env " + name + " in " + container.get("env")));
	}

	private static List<String> envNames(JsonNode container) {
		return container.get("env").valueStream().map((variable) -> variable.get("name").asString()).toList();
	}

	private static JsonNode namedPort(JsonNode container, String name) {
		return container.get("ports")
			.valueStream()
			.filter((port) -> name.equals(port.get("name").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no port " + name + " in " + container.get("ports")));
	}

	private static List<String> mounts(JsonNode container) {
		return container.get("volumeMounts").valueStream().map((mount) -> mount.get("mountPath").asString()).toList();
	}

	private static JsonNode mount(JsonNode container, String path) {
		return container.get("volumeMounts")
			.valueStream()
			.filter((mount) -> path.equals(mount.get("mountPath").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("nothing mounted at " + path + " in " + container));
	}

	private static JsonNode volume(JsonNode pod, String name) {
		return pod.get("volumes")
			.valueStream()
			.filter((volume) -> name.equals(volume.get("name").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no volume " + name + " in " + pod.get("volumes")));
	}

	private static List<String> strings(JsonNode array) {
		return array.valueStream().map(JsonNode::asString).toList();
	}

	private static JsonNode applicationYaml() throws IOException {
		try (InputStream in = HelmChartIntegrationTests.class.getResourceAsStream("/application.yaml")) {
			assertThat(in).isNotNull();
			return YAML.readTree(in);
		}
	}

	private static String chartAppVersion() {
		return YAML.readTree(CHART.resolve("Chart.yaml").toFile()).get("appVersion").asString();
	}

	private static void copyChart(Path target) throws IOException {
		try (Stream<Path> files = Files.walk(CHART)) {
			for (Path file : files.toList()) {
				Path copy = target.resolve(CHART.relativize(file).toString());
				if (Files.isDirectory(file)) {
					Files.createDirectories(copy);
				}
				else {
					Files.copy(file, copy);
				}
			}
		}
	}

	/** Helm's coalescing of a values file onto the chart's values. */
	private static void overlay(ObjectNode base, JsonNode values) {
		for (Map.Entry<String, JsonNode> entry : values.properties()) {
			JsonNode current = base.get(entry.getKey());
			if (entry.getValue().isNull()) {
				base.remove(entry.getKey());
			}
			else if (current != null && current.isObject() && entry.getValue().isObject()) {
				overlay((ObjectNode) current, entry.getValue());
			}
			else {
				base.set(entry.getKey(), entry.getValue());
			}
		}
	}

}
