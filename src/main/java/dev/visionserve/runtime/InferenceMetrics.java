package dev.visionserve.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Times one session run, as {@code visionserve_inference_seconds{model,device}}.
 * Thread-safe.
 */
final class InferenceMetrics {

	private final Timer timer;

	InferenceMetrics(MeterRegistry registry, String model, Device device) {
		this.timer = Timer.builder("visionserve.inference")
			.description("Duration of one model run (one batch) on one session")
			.tag("model", model)
			.tag("device", device.toString())
			.publishPercentileHistogram()
			.register(registry);
	}

	void record(long nanos) {
		this.timer.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
	}

}
