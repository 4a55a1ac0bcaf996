package dev.visionserve.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Times one session run, as {@code visionserve_inference_seconds{model,device}}, and
 * counts the runs that failed, as
 * {@code visionserve_inference_failures_total{model,device}}. Thread-safe.
 */
final class InferenceMetrics {

	private final Timer timer;

	private final Counter failures;

	private final Counter soloRuns;

	InferenceMetrics(MeterRegistry registry, String model, Device device) {
		this.timer = Timer.builder("visionserve.inference")
			.description("Duration of one model run (one batch) on one session")
			.tag("model", model)
			.tag("device", device.toString())
			.publishPercentileHistogram()
			.register(registry);
		// Registered up front, so an alert on its rate sees a zero rather than nothing.
		this.failures = Counter.builder("visionserve.inference.failures")
			.description("Model runs (batches) that failed; every job of such a batch got an error")
			.tag("model", model)
			.tag("device", device.toString())
			.register(registry);
		this.soloRuns = Counter.builder("visionserve.inference.solo.runs")
			.description("Model runs (batches) that ran alone on the model's all-cores solo session")
			.tag("model", model)
			.tag("device", device.toString())
			.register(registry);
	}

	void record(long nanos) {
		this.timer.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
	}

	void soloRun() {
		this.soloRuns.increment();
	}

	void failed() {
		this.failures.increment();
	}

}
