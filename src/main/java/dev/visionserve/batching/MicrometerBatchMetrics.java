package dev.visionserve.batching;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Publishes a batcher's queue and batch metrics to Micrometer, tagged with the model
 * name. Thread-safe; lives as long as its batcher.
 *
 * <p>
 * Prometheus names: {@code visionserve_queue_depth},
 * {@code visionserve_queue_wait_seconds}, {@code visionserve_batch_size},
 * {@code visionserve_rejected_total}.
 */
public final class MicrometerBatchMetrics implements BatchMetrics {

	private static final double[] BATCH_SIZE_BUCKETS = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };

	private final MeterRegistry registry;

	private final String model;

	private final Timer queueWait;

	private final DistributionSummary batchSize;

	private final Map<RejectionReason, Counter> rejected = new EnumMap<>(RejectionReason.class);

	private final List<Meter> meters = new ArrayList<>();

	public MicrometerBatchMetrics(MeterRegistry registry, String model) {
		this.registry = registry;
		this.model = model;
		this.queueWait = register(Timer.builder("visionserve.queue.wait")
			.description("Time a job waited in the queue before its batch ran")
			.tag("model", model)
			.publishPercentileHistogram()
			.register(registry));
		this.batchSize = register(DistributionSummary.builder("visionserve.batch.size")
			.description("Rows per model run formed by the dynamic batcher")
			.tag("model", model)
			.serviceLevelObjectives(BATCH_SIZE_BUCKETS)
			.register(registry));
		for (RejectionReason reason : RejectionReason.values()) {
			this.rejected.put(reason,
					register(Counter.builder("visionserve.rejected")
						.description("Jobs refused or dropped without being computed")
						.tag("model", model)
						.tag("reason", reason.tag())
						.register(registry)));
		}
	}

	private <M extends Meter> M register(M meter) {
		this.meters.add(meter);
		return meter;
	}

	@Override
	public void bindQueueDepth(Supplier<Integer> depth) {
		register(Gauge.builder("visionserve.queue.depth", depth, (supplier) -> supplier.get())
			.description("Jobs waiting in the queue")
			.tag("model", this.model)
			.strongReference(true)
			.register(this.registry));
	}

	@Override
	public void queueWait(Duration waited) {
		this.queueWait.record(waited);
	}

	@Override
	public void batchSize(int rows) {
		this.batchSize.record(rows);
	}

	@Override
	public void rejected(RejectionReason reason) {
		this.rejected.get(reason).increment();
	}

	@Override
	public void unbind() {
		this.meters.forEach(this.registry::remove);
	}

}
