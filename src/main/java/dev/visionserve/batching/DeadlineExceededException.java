package dev.visionserve.batching;

/**
 * A job's deadline passed before it could be computed; it was never run.
 */
public class DeadlineExceededException extends RuntimeException {

	public DeadlineExceededException(String batcher) {
		super("The request did not finish before its deadline in '" + batcher + "'; it was dropped or abandoned");
	}

}
