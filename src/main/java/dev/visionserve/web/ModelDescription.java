package dev.visionserve.web;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.visionserve.runtime.LoadedModel;
import dev.visionserve.runtime.ModelConfig;
import dev.visionserve.runtime.ModelStatus;
import dev.visionserve.runtime.TensorSpec;

/**
 * What {@code GET /models} tells about one model. Fields that do not apply (a failed
 * model has no tensors) are left out.
 *
 * @param name the model's name
 * @param state LOADING, READY or FAILED
 * @param reason why it failed
 * @param kind classifier or denoiser
 * @param inputs the input tensors; -1 marks the dynamic batch axis
 * @param outputs the output tensors
 * @param labels class labels
 * @param devices the devices configured
 * @param instancesPerDevice sessions per device
 * @param sessions each session's actual device and threads
 * @param batching the batching policy
 * @param preprocessing the image preprocessing of a classifier
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelDescription(String name, String state, String reason, String kind, List<TensorDescription> inputs,
		List<TensorDescription> outputs, List<String> labels, List<String> devices, Integer instancesPerDevice,
		List<SessionDescription> sessions, ModelConfig.Batching batching, ModelConfig.Preprocessing preprocessing) {

	static ModelDescription of(ModelStatus status) {
		LoadedModel model = status.model();
		if (model == null) {
			return new ModelDescription(status.name(), status.state().name(), status.reason(), null, null, null, null,
					null, null, null, null, null);
		}
		ModelConfig config = model.config();
		return new ModelDescription(status.name(), status.state().name(), null, config.kind(),
				model.inputs().values().stream().map(TensorDescription::of).toList(),
				model.outputs().values().stream().map(TensorDescription::of).toList(), model.labels(), config.devices(),
				config.instancesPerDevice(),
				model.sessions()
					.stream()
					.map((s) -> new SessionDescription(s.device().toString(), s.requestedDevice().toString(),
							s.intraOpThreads()))
					.toList(),
				config.batching(), config.kind().equals("classifier") ? config.preprocessing() : null);
	}

	/**
	 * @param name the ONNX name
	 * @param type float32 or int64
	 * @param shape dimensions; -1 is dynamic
	 */
	public record TensorDescription(String name, String type, long[] shape) {

		static TensorDescription of(TensorSpec spec) {
			return new TensorDescription(spec.name(), spec.type().name().toLowerCase(java.util.Locale.ROOT),
					spec.shape());
		}

	}

	/**
	 * @param device where the session runs
	 * @param requestedDevice where model.yaml asked it to run (differs after a CPU
	 * fallback)
	 * @param intraOpThreads ONNX Runtime threads of the session
	 */
	public record SessionDescription(String device, String requestedDevice, int intraOpThreads) {

	}

}
