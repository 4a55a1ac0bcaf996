package dev.visionserve.batching;

import java.time.Duration;

/**
 * A job was refused because the batcher's queue was full. Nothing was computed for it.
 */
public class QueueFullException extends RuntimeException {

	private final Duration retryAfter;

	public QueueFullException(String batcher, int capacity, Duration retryAfter) {
		super("The queue of '" + batcher + "' is full (" + capacity + " jobs waiting); retry later");
		this.retryAfter = retryAfter;
	}

	/**
	 * @return a hint for the client: roughly how long the queue takes to drain
	 */
	public Duration retryAfter() {
		return this.retryAfter;
	}

}
