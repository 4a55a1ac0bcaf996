package dev.visionserve.batching;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a {@link DynamicBatcher} reports about itself. Implementations must be
 * thread-safe: every worker and every submitter calls them.
 */
public interface BatchMetrics {

	/** A metrics sink that records nothing, for tests of the batching logic alone. */
	BatchMetrics NONE = new BatchMetrics() {
	};

	/**
	 * Called once when the batcher starts, so the sink can sample the queue depth
	 * whenever it is scraped.
	 * @param depth the number of jobs waiting now
	 */
	default void bindQueueDepth(Supplier<Integer> depth) {
	}

	/** A job left the queue for a batch after waiting this long. */
	default void queueWait(Duration waited) {
	}

	/** A batch of this many rows is about to run. */
	default void batchSize(int rows) {
	}

	/** A job was refused or dropped without being computed. */
	default void rejected(RejectionReason reason) {
	}

	/** Called once when the batcher has shut down. */
	default void unbind() {
	}

	/** Why a job was never computed; the metric tag is the lower-case name. */
	enum RejectionReason {

		QUEUE_FULL, DEADLINE_EXCEEDED, CANCELLED, SHUTTING_DOWN;

		public String tag() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

}
