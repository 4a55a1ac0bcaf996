package dev.visionserve.runtime;

/**
 * Where one model of the repository stands. Immutable; a new one replaces it on every
 * change.
 *
 * @param name the model's folder name
 * @param state loading, ready or failed
 * @param reason why it failed, or {@code null}
 * @param model the loaded model when ready, else {@code null}
 */
public record ModelStatus(String name, State state, String reason, LoadedModel model) {

	static ModelStatus loading(String name) {
		return new ModelStatus(name, State.LOADING, null, null);
	}

	static ModelStatus ready(LoadedModel model) {
		return new ModelStatus(model.name(), State.READY, null, model);
	}

	static ModelStatus failed(String name, String reason) {
		return new ModelStatus(name, State.FAILED, reason, null);
	}

	public enum State {

		LOADING, READY, FAILED

	}

}
