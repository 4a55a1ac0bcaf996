package dev.visionserve.runtime;

import java.util.Map;

/**
 * One caller's share of a model run: a tensor per model output holding exactly that
 * caller's rows.
 *
 * @param outputs tensors by ONNX output name
 */
public record TensorResult(Map<String, Tensor> outputs) {

	public TensorResult {
		outputs = Map.copyOf(outputs);
	}

	public Tensor output(String name) {
		Tensor tensor = this.outputs.get(name);
		if (tensor == null) {
			throw new IllegalArgumentException("The model has no output named '" + name + "'");
		}
		return tensor;
	}

}
