package dev.visionserve.runtime;

/**
 * A request named a model that exists but is still loading or failed to load.
 */
public class ModelNotReadyException extends RuntimeException {

	public ModelNotReadyException(ModelStatus status) {
		super("Model '" + status.name() + "' is " + status.state().name().toLowerCase(java.util.Locale.ROOT)
				+ ((status.reason() != null) ? ": " + status.reason() : ""));
	}

}
