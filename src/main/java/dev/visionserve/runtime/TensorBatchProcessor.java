package dev.visionserve.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import dev.visionserve.batching.BatchProcessor;

/**
 * Runs a batch of {@link TensorJob}s as one session run: concatenates each input along
 * the batch axis into one direct buffer in native order (which ONNX Runtime reads without
 * a copy), pads to the batch bucket, runs once, and splits every output back into each
 * job's rows. Owned by one worker thread, so the reusable input buffers need no lock.
 * Every {@link OnnxTensor} and {@link OrtSession.Result} is closed before
 * {@link #process} returns.
 */
final class TensorBatchProcessor implements BatchProcessor<TensorJob, TensorResult> {

	private final OrtEnvironment environment;

	private final ModelSession session;

	/** Shared with the model's other workers; {@code null} when the model has none. */
	private final SoloSession solo;

	private final Map<String, TensorSpec> inputs;

	private final Map<String, TensorSpec> outputs;

	private final BatchBuckets buckets;

	private final InferenceMetrics metrics;

	/**
	 * Grow-only direct buffers, one per input, reused across batches by the owning
	 * worker.
	 */
	private final Map<String, ByteBuffer> buffers = new HashMap<>();

	TensorBatchProcessor(OrtEnvironment environment, ModelSession session, SoloSession solo,
			Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs, BatchBuckets buckets,
			InferenceMetrics metrics) {
		this.environment = environment;
		this.session = session;
		this.solo = solo;
		this.inputs = inputs;
		this.outputs = outputs;
		this.buckets = buckets;
		this.metrics = metrics;
	}

	@Override
	public List<TensorResult> process(List<TensorJob> jobs) throws OrtException {
		if (this.solo == null) {
			return processOn(this.session, jobs);
		}
		ModelSession chosen = this.solo.start(this.session);
		try {
			if (chosen != this.session) {
				this.metrics.soloRun();
			}
			return processOn(chosen, jobs);
		}
		finally {
			this.solo.finish();
		}
	}

	/**
	 * Runs the batch on the given session; for warm-up, on a session chosen by the
	 * caller.
	 */
	List<TensorResult> processOn(ModelSession target, List<TensorJob> jobs) throws OrtException {
		int rows = jobs.stream().mapToInt(TensorJob::rows).sum();
		int paddedRows = this.buckets.padded(rows);
		Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
		try {
			for (TensorSpec spec : this.inputs.values()) {
				feeds.put(spec.name(), concatenate(spec, jobs, paddedRows));
			}
			long start = System.nanoTime();
			try (OrtSession.Result result = target.run(feeds)) {
				this.metrics.record(System.nanoTime() - start);
				return split(result, jobs, paddedRows);
			}
		}
		catch (OrtException | RuntimeException ex) {
			// The batcher fails this batch's jobs and goes on; the count is what an alert
			// can see.
			this.metrics.failed();
			throw ex;
		}
		finally {
			for (OnnxTensor tensor : feeds.values()) {
				tensor.close();
			}
		}
	}

	private OnnxTensor concatenate(TensorSpec spec, List<TensorJob> jobs, int paddedRows) throws OrtException {
		long[] shape = spec.shape().clone();
		shape[0] = paddedRows;
		int rowSize = 1;
		for (int i = 1; i < shape.length; i++) {
			rowSize *= (int) shape[i];
		}
		int elements = paddedRows * rowSize;
		boolean isFloat = spec.type() == TensorSpec.ElementType.FLOAT32;
		ByteBuffer bytes = buffer(spec.name(), elements * (isFloat ? Float.BYTES : Long.BYTES));
		if (isFloat) {
			FloatBuffer floats = bytes.asFloatBuffer();
			for (TensorJob job : jobs) {
				floats.put(job.inputs().get(spec.name()).floats());
			}
			// Padding rows are zeros; their outputs are dropped.
			while (floats.position() < elements) {
				floats.put(0f);
			}
			floats.flip();
			return OnnxTensor.createTensor(this.environment, floats, shape);
		}
		LongBuffer longs = bytes.asLongBuffer();
		for (TensorJob job : jobs) {
			longs.put(job.inputs().get(spec.name()).longs());
		}
		while (longs.position() < elements) {
			longs.put(0L);
		}
		longs.flip();
		return OnnxTensor.createTensor(this.environment, longs, shape);
	}

	private ByteBuffer buffer(String input, int bytes) {
		ByteBuffer buffer = this.buffers.get(input);
		if (buffer == null || buffer.capacity() < bytes) {
			buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
			this.buffers.put(input, buffer);
		}
		buffer.clear();
		buffer.limit(bytes);
		return buffer;
	}

	private List<TensorResult> split(OrtSession.Result result, List<TensorJob> jobs, int paddedRows)
			throws OrtException {
		List<Map<String, Tensor>> perJob = new ArrayList<>();
		jobs.forEach((job) -> perJob.add(new HashMap<>()));
		for (String name : this.outputs.keySet()) {
			OnnxValue value = result.get(name).orElseThrow(() -> new IllegalStateException("No output " + name));
			if (!(value instanceof OnnxTensor tensor)) {
				throw new IllegalStateException("Output " + name + " is not a tensor");
			}
			long[] shape = tensor.getInfo().getShape();
			if (shape.length == 0 || shape[0] != paddedRows) {
				throw new IllegalStateException("Output " + name + " does not have the batch axis first");
			}
			Tensor whole = readTensor(tensor, shape);
			int row = 0;
			for (int i = 0; i < jobs.size(); i++) {
				int rows = jobs.get(i).rows();
				perJob.get(i).put(name, whole.slice(row, rows));
				row += rows;
			}
		}
		return perJob.stream().map(TensorResult::new).toList();
	}

	private static Tensor readTensor(OnnxTensor tensor, long[] shape) {
		switch (tensor.getInfo().type) {
			case FLOAT -> {
				FloatBuffer buffer = tensor.getFloatBuffer();
				float[] data = new float[buffer.remaining()];
				buffer.get(data);
				return Tensor.ofFloats(data, shape);
			}
			case INT64 -> {
				LongBuffer buffer = tensor.getLongBuffer();
				long[] data = new long[buffer.remaining()];
				buffer.get(data);
				return Tensor.ofLongs(data, shape);
			}
			default -> throw new IllegalStateException("Output type " + tensor.getInfo().type + " is not supported");
		}
	}

}
