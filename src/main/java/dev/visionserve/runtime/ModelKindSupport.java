package dev.visionserve.runtime;

/**
 * What a feature knows about the models of one kind: it checks at load time that a
 * model's tensors fit the feature, so that a misfit is a load failure naming the model,
 * not an error at the first request. Implementations are stateless and thread-safe.
 */
public interface ModelKindSupport {

	/**
	 * @return the {@code kind} value in model.yaml this support handles
	 */
	String kind();

	/**
	 * Checks that the model can be served as this kind.
	 * @param model the model with its sessions open, before warm-up
	 * @throws ModelLoadException naming what does not fit
	 */
	void validate(LoadedModel model) throws ModelLoadException;

}
