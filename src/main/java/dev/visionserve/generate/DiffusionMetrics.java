package dev.visionserve.generate;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The diffusion loop's metrics for one model:
 * {@code visionserve_diffusion_steps_total{model,sampler,mode}},
 * {@code visionserve_diffusion_active_jobs{model}},
 * {@code visionserve_diffusion_tick_rows{model}},
 * {@code visionserve_diffusion_job_seconds{model,sampler,mode}} and
 * {@code visionserve_diffusion_cancelled_total{model,reason}}. Thread-safe.
 */
final class DiffusionMetrics {

	private static final double[] ROW_BUCKETS = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };

	private final MeterRegistry registry;

	private final String model;

	private final DistributionSummary tickRows;

	DiffusionMetrics(MeterRegistry registry, String model, Supplier<Number> activeJobs) {
		this.registry = registry;
		this.model = model;
		this.tickRows = DistributionSummary.builder("visionserve.diffusion.tick.rows")
			.description("Rows per denoiser call of the step-level batching loop")
			.tag("model", model)
			.serviceLevelObjectives(ROW_BUCKETS)
			.register(registry);
		// Both cancellation series exist from the start, so dashboards and alerts see
		// zeros rather than nothing.
		cancelledCounter(DiffusionEngine.CANCELLED_CLIENT);
		cancelledCounter(DiffusionEngine.CANCELLED_DEADLINE);
		cancelledCounter(DiffusionEngine.CANCELLED_SHUTDOWN);
		cancelledCounter(DiffusionEngine.CANCELLED_SLOW_CLIENT);
		Gauge.builder("visionserve.diffusion.active.jobs", activeJobs)
			.description("Generation jobs being denoised now")
			.tag("model", model)
			.strongReference(true)
			.register(registry);
	}

	void tick(int rows) {
		this.tickRows.record(rows);
	}

	/**
	 * @param mode {@code generate} or the editing mode ({@code inpaint},
	 * {@code super-resolution}, {@code denoise}, {@code img2img})
	 */
	void step(String sampler, String mode) {
		Counter.builder("visionserve.diffusion.steps")
			.description("Denoiser calls made, one per job per tick")
			.tag("model", this.model)
			.tag("sampler", sampler)
			.tag("mode", mode)
			.register(this.registry)
			.increment();
	}

	void finished(String sampler, String mode, long nanos) {
		Timer.builder("visionserve.diffusion.job")
			.description("Duration of a whole generation job, from submission to its last step")
			.tag("model", this.model)
			.tag("sampler", sampler)
			.tag("mode", mode)
			.publishPercentileHistogram()
			.register(this.registry)
			.record(nanos, TimeUnit.NANOSECONDS);
	}

	void cancelled(String reason) {
		cancelledCounter(reason).increment();
	}

	private Counter cancelledCounter(String reason) {
		return Counter.builder("visionserve.diffusion.cancelled")
			.description("Generation jobs that left the loop before finishing")
			.tag("model", this.model)
			.tag("reason", reason)
			.register(this.registry);
	}

}
