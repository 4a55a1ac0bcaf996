package dev.visionserve.system;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.visionserve.support.FashionMnistImages;
import dev.visionserve.support.Metrics;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ten times the measured capacity, offered open-loop for a minute per endpoint (the
 * duration is {@code -Dvisionserve.overload.seconds}, default 60), on the shipped models:
 * the excess is refused fast with 429 {@code QUEUE_FULL} and {@code Retry-After}, what is
 * admitted finishes within the client's deadline, memory stays under the bound documented
 * in docs/configuration.md, and afterwards the service answers normally. The client runs
 * in the server's JVM on loopback, so it competes with the server for the CPU; its CPU
 * time is reported with the figures.
 */
// Capture first, so the lines logged while the context starts (model loading) are caught.
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OverloadIntegrationTests extends ServerIntegrationTests {

	private static final Log logger = LogFactory.getLog(OverloadIntegrationTests.class);

	private static final Duration LOAD = Duration.ofSeconds(Long.getLong("visionserve.overload.seconds", 60));

	/** The bounds documented in docs/configuration.md ("Memory under overload"). */
	private static final long HEAP_BOUND_MB = 1024;

	/**
	 * Growth of the process's resident set during the load; the whole test JVM also holds
	 * whatever other test contexts are cached, hence also an absolute bound.
	 */
	private static final long RSS_GROWTH_BOUND_MB = 1024;

	private static final long RSS_BOUND_MB = 4096;

	/**
	 * Requests the client lets wait for an answer at once, like a client's connection
	 * pool: beyond it a request is counted as not sent. Without it the excess the server
	 * cannot even parse piles up in TCP queues and every latency measures that pile.
	 */
	private static final int MAX_IN_FLIGHT = 256;

	private static final String CLASSIFY_TIMEOUT = "5";

	private static final String GENERATE_TIMEOUT = "20";

	@Test
	void shedsTenTimesItsClassifyCapacityFastAndServesTheRestInTime(CapturedOutput output) throws Exception {
		byte[] png = FashionMnistImages.load().get(0).png();
		HttpRequest request = this.http.multipart("/classify", List.of(png))
			.uri(uri("/classify"))
			.header("Request-Timeout", CLASSIFY_TIMEOUT)
			.timeout(Duration.ofSeconds(60))
			.build();
		Summary summary = overload("classify", request, 16, Duration.ofSeconds(4));

		assertShedFastAndServedInTime(summary, Duration.ofSeconds(Long.parseLong(CLASSIFY_TIMEOUT)));
		awaitIdle("visionserve_queue_depth", "fashion-resnet");
		assertThat(this.http.postMultipart("/classify", List.of(png)).statusCode()).isEqualTo(200);
		assertThat(output.getAll()).doesNotContain("OutOfMemoryError");
	}

	@Test
	void shedsTenTimesItsGenerateCapacityFastAndServesTheRestInTime(CapturedOutput output) throws Exception {
		// Ten steps, unconditional (one row per job), so that capacity is several jobs a
		// second rather than one.
		String body = "{\"steps\":10,\"seed\":3}";
		HttpRequest request = HttpRequest.newBuilder(uri("/generate"))
			.header("Content-Type", "application/json")
			.header("Request-Timeout", GENERATE_TIMEOUT)
			.timeout(Duration.ofSeconds(60))
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		Summary summary = overload("generate", request, 32, Duration.ofSeconds(6));

		assertShedFastAndServedInTime(summary, Duration.ofSeconds(Long.parseLong(GENERATE_TIMEOUT)));
		awaitIdle("visionserve_diffusion_active_jobs", "fashion-ddpm");
		assertThat(this.http.postJson("/generate", body).statusCode()).isEqualTo(200);
		assertThat(output.getAll()).doesNotContain("OutOfMemoryError");
	}

	private Summary overload(String endpoint, HttpRequest request, int callers, Duration measure)
			throws InterruptedException {
		try (OpenLoopLoad load = new OpenLoopLoad(); MemorySampler memory = new MemorySampler()) {
			double capacity = load.capacity(request, callers, measure);
			assertThat(capacity).as("capacity of " + endpoint).isGreaterThan(0);
			long rssBeforeMb = MemorySampler.rssBytes() / (1024 * 1024);
			long processCpuBefore = processCpuNanos();
			OpenLoopLoad.Result result = load.offer(request, 10 * capacity, LOAD, MAX_IN_FLIGHT);
			long processCpu = processCpuNanos() - processCpuBefore;
			Summary summary = new Summary(endpoint, capacity, result, memory.peakHeapMb(), rssBeforeMb,
					memory.peakRssMb(), processCpu);
			logger.info(summary.line());
			return summary;
		}
	}

	private static void assertShedFastAndServedInTime(Summary summary, Duration deadline) {
		OpenLoopLoad.Result result = summary.result();
		assertThat(result.unanswered).as("requests never answered").isZero();
		assertThat(result.failedToConnect.sum()).as("requests that got no answer").isZero();
		assertThat(result.otherStatuses).as("answers other than 200, 429 and 503 DEADLINE_EXCEEDED").isEmpty();
		assertThat(result.rejected.sum()).as("429s at ten times capacity").isPositive();
		assertThat(result.badRejections.sum()).as("429s without Retry-After or QUEUE_FULL").isZero();
		assertThat(result.admitted.sum()).as("requests served during overload").isPositive();
		assertThat(result.rejectedP99Millis()).as("p99 of a rejection, ms").isLessThan(1000);
		assertThat(result.admittedP99Millis()).as("p99 of an admitted request, ms").isLessThan(deadline.toMillis());
		assertThat(summary.peakHeapMb()).as("peak heap, MiB").isLessThan(HEAP_BOUND_MB);
		assertThat(summary.peakRssMb()).as("peak RSS, MiB").isLessThan(RSS_BOUND_MB);
		assertThat(summary.peakRssMb() - summary.rssBeforeMb()).as("RSS growth under load, MiB")
			.isLessThan(RSS_GROWTH_BOUND_MB);
	}

	private void awaitIdle(String gauge, String model) throws InterruptedException {
		Instant deadline = Instant.now().plusSeconds(60);
		while (Metrics.value(this.http.get("/actuator/prometheus").body(), gauge, "model=\"" + model + "\"") > 0) {
			assertThat(Instant.now()).as(gauge + " of " + model + " never came back to 0").isBefore(deadline);
			Thread.sleep(50);
		}
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private static long processCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
			.getOperatingSystemMXBean()).getProcessCpuTime();
	}

	private record Summary(String endpoint, double capacity, OpenLoopLoad.Result result, long peakHeapMb,
			long rssBeforeMb, long peakRssMb, long processCpuNanos) {

		String line() {
			double seconds = this.result.offerNanos / 1e9;
			return String.format(Locale.ROOT,
					"overload %s: capacity=%.1f/s offered=%.1f/s (target %.1f/s, sent=%.1f/s, not sent at the "
							+ "in-flight bound=%d) over %.0f s: admitted=%d rejected=%d deadline_exceeded=%d "
							+ "rejection_p99_ms=%.1f admitted_p99_ms=%.1f admitted_max_ms=%.1f peak_heap_mb=%d "
							+ "rss_before_mb=%d peak_rss_mb=%d client_cpu_s=%.1f process_cpu_s=%.1f (client %.0f%% of the process)",
					this.endpoint, this.capacity, this.result.offeredRate(), 10 * this.capacity, this.result.sentRate(),
					this.result.notSent.sum(), seconds, this.result.admitted.sum(), this.result.rejected.sum(),
					this.result.deadlineExceeded.sum(), this.result.rejectedP99Millis(),
					this.result.admittedP99Millis(), this.result.maxAdmittedNanos.get() / 1e6, this.peakHeapMb,
					this.rssBeforeMb, this.peakRssMb, this.result.clientCpuNanos / 1e9, this.processCpuNanos / 1e9,
					100.0 * this.result.clientCpuNanos / Math.max(1, this.processCpuNanos));
		}

	}

}
