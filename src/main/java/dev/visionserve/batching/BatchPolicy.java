package dev.visionserve.batching;

import java.time.Duration;

/**
 * How a {@link DynamicBatcher} forms batches: at most {@code maxBatchSize} rows per run,
 * waiting at most {@code maxQueueDelay} after the first job for more to arrive, with at
 * most {@code queueCapacity} jobs waiting.
 *
 * @param maxBatchSize rows per run, at least 1
 * @param maxQueueDelay how long a worker waits for more jobs once it holds one; zero (the
 * default) means it takes only what is already queued, so light traffic pays no waiting
 * @param queueCapacity jobs that may wait; a submit beyond this fails fast
 */
public record BatchPolicy(int maxBatchSize, Duration maxQueueDelay, int queueCapacity) {

	public BatchPolicy {
		if (maxBatchSize < 1) {
			throw new IllegalArgumentException("maxBatchSize must be at least 1, was " + maxBatchSize);
		}
		if (maxQueueDelay == null || maxQueueDelay.isNegative()) {
			throw new IllegalArgumentException("maxQueueDelay must be zero or positive, was " + maxQueueDelay);
		}
		if (queueCapacity < 1) {
			throw new IllegalArgumentException("queueCapacity must be at least 1, was " + queueCapacity);
		}
	}

}
