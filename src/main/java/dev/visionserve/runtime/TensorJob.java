package dev.visionserve.runtime;

import java.util.Map;

/**
 * One caller's rows for one model run: a tensor per model input, all with the same number
 * of rows.
 *
 * @param inputs tensors by ONNX input name
 */
public record TensorJob(Map<String, Tensor> inputs) {

	public TensorJob {
		if (inputs.isEmpty()) {
			throw new IllegalArgumentException("A job needs at least one input tensor");
		}
		long distinctRows = inputs.values().stream().mapToInt(Tensor::rows).distinct().count();
		if (distinctRows != 1) {
			throw new IllegalArgumentException("Every input of a job must have the same number of rows");
		}
		inputs = Map.copyOf(inputs);
	}

	public int rows() {
		return this.inputs.values().iterator().next().rows();
	}

}
