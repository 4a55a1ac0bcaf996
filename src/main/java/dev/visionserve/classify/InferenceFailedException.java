package dev.visionserve.classify;

/**
 * The model run failed for a reason that is not the client's fault; details go to the
 * log, not the response.
 */
public class InferenceFailedException extends RuntimeException {

	InferenceFailedException(String model, Throwable cause) {
		super("Running model '" + model + "' failed", cause);
	}

}
