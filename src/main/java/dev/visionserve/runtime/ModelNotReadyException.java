package dev.visionserve.runtime;

/**
 * A request named a model that exists but is still loading or failed to load.
 */
public class ModelNotReadyException extends RuntimeException {

	public ModelNotReadyException(ModelStatus status) {
		super((status.state() == ModelStatus.State.LOADING) ? "Model '" + status.name() + "' is still loading"
				: "Model '" + status.name() + "' failed to load: " + status.reason());
	}

}
