package dev.visionserve.generate;

/**
 * A generation left the loop before finishing because its client went away; nobody is
 * left to read the failure.
 */
class GenerationCancelledException extends RuntimeException {

	GenerationCancelledException(String reason) {
		super("The generation was cancelled: " + reason);
	}

}
