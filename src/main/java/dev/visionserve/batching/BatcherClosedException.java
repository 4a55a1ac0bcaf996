package dev.visionserve.batching;

/**
 * A job was refused, or could not finish, because its batcher is shutting down.
 */
public class BatcherClosedException extends RuntimeException {

	public BatcherClosedException(String batcher) {
		super("'" + batcher + "' is shutting down and accepts no more work");
	}

}
