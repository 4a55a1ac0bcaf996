package dev.visionserve.generate;

/**
 * A generation left the loop before finishing because its client went away or fell too
 * far behind a stream; there is rarely anyone left to read the failure.
 */
public class GenerationCancelledException extends RuntimeException {

	GenerationCancelledException(String reason) {
		super("The generation was cancelled: " + reason);
	}

}
