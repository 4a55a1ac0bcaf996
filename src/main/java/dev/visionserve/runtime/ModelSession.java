package dev.visionserve.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

/**
 * One ONNX Runtime session of one model on one device. Not thread-safe by contract:
 * exactly one worker thread uses it (a CUDA session called from many threads grows GPU
 * memory). Lives until the model is unloaded.
 */
public final class ModelSession implements AutoCloseable {

	private final OrtSession session;

	private final Device requestedDevice;

	private final Device device;

	private final int intraOpThreads;

	ModelSession(OrtSession session, Device requestedDevice, Device device, int intraOpThreads) {
		this.session = session;
		this.requestedDevice = requestedDevice;
		this.device = device;
		this.intraOpThreads = intraOpThreads;
	}

	/**
	 * @return the device the session really runs on (the CPU when a GPU could not be
	 * used)
	 */
	public Device device() {
		return this.device;
	}

	public Device requestedDevice() {
		return this.requestedDevice;
	}

	public int intraOpThreads() {
		return this.intraOpThreads;
	}

	public Map<String, TensorSpec> inputs() throws OrtException {
		return specs(this.session.getInputInfo());
	}

	public Map<String, TensorSpec> outputs() throws OrtException {
		return specs(this.session.getOutputInfo());
	}

	/** Runs the session; the caller closes the result and the input tensors. */
	OrtSession.Result run(Map<String, OnnxTensor> inputs) throws OrtException {
		return this.session.run(inputs);
	}

	private static Map<String, TensorSpec> specs(Map<String, NodeInfo> infos) {
		Map<String, TensorSpec> specs = new LinkedHashMap<>();
		infos.forEach((name, info) -> {
			if (info.getInfo() instanceof TensorInfo tensor) {
				specs.put(name, new TensorSpec(name, elementType(tensor.type), tensor.getShape()));
			}
			else {
				specs.put(name, new TensorSpec(name, TensorSpec.ElementType.UNSUPPORTED, new long[] { -1 }));
			}
		});
		return specs;
	}

	private static TensorSpec.ElementType elementType(OnnxJavaType type) {
		return switch (type) {
			case FLOAT -> TensorSpec.ElementType.FLOAT32;
			case INT64 -> TensorSpec.ElementType.INT64;
			default -> TensorSpec.ElementType.UNSUPPORTED;
		};
	}

	@Override
	public void close() throws OrtException {
		this.session.close();
	}

}
