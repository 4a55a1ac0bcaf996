import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

/**
 * The raw ONNX Runtime side of the benchmarks: a plain Java loop over OrtSession.run on a
 * model file, with the service's session options (sequential execution, all graph
 * optimisations, intra-op threads as given), so the service's figures can be divided by
 * what the runtime alone does on the same machine.
 *
 * <p>
 * Run as a single-file program with the ONNX Runtime jar on the class path:
 * {@code java -cp onnxruntime-1.29.0.jar bench/RawOnnxRuntime.java MODEL SECONDS LAYOUTS}
 * where LAYOUTS is a comma-separated list of {@code sessionsxthreadsxbatch}, e.g.
 * {@code 1x1x2,1x2x2,2x1x8}. Every session runs in its own thread, back to back, on the
 * same random input (float inputs N(0,1), integer inputs 0; a denoiser's timestep and
 * class then are 0, which costs the same as any other). Prints one line per layout:
 * {@code layout=2x1x8 rows_per_s=237.1 runs=…}.
 */
public final class RawOnnxRuntime {

	public static void main(String[] args) throws Exception {
		if (args.length != 3) {
			System.err.println("usage: RawOnnxRuntime MODEL.onnx SECONDS SESSIONSxTHREADSxBATCH[,...]");
			System.exit(2);
		}
		String model = args[0];
		double seconds = Double.parseDouble(args[1]);
		// Experiments: -Dglobal.threads=N gives every session ONNX Runtime's shared global
		// intra-op pool of N threads instead of its own; -Dspin=false stops pool threads
		// spinning between runs.
		int globalThreads = Integer.getInteger("global.threads", 0);
		OrtEnvironment environment;
		if (globalThreads > 0) {
			OrtEnvironment.ThreadingOptions threading = new OrtEnvironment.ThreadingOptions();
			threading.setGlobalIntraOpNumThreads(globalThreads);
			threading.setGlobalInterOpNumThreads(1);
			if (!Boolean.parseBoolean(System.getProperty("spin", "true"))) {
				threading.setGlobalSpinControl(false);
			}
			environment = OrtEnvironment.getEnvironment(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
					"raw", threading);
		}
		else {
			environment = OrtEnvironment.getEnvironment();
		}
		for (String layout : args[2].split(",")) {
			String[] parts = layout.trim().split("x");
			int sessions = Integer.parseInt(parts[0]);
			int threads = Integer.parseInt(parts[1]);
			int batch = Integer.parseInt(parts[2]);
			double rowsPerSecond = measure(environment, model, sessions, threads, batch, seconds);
			System.out.printf("layout=%s rows_per_s=%.1f%n", layout.trim(), rowsPerSecond);
		}
	}

	private static double measure(OrtEnvironment environment, String model, int sessions, int threads, int batch,
			double seconds) throws Exception {
		List<OrtSession> opened = new ArrayList<>();
		try {
			for (int i = 0; i < sessions; i++) {
				OrtSession.SessionOptions options = new OrtSession.SessionOptions();
				options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
				options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
				options.setIntraOpNumThreads(threads);
				options.setInterOpNumThreads(1);
				if (Integer.getInteger("global.threads", 0) > 0) {
					options.disablePerSessionThreads();
				}
				if (!Boolean.parseBoolean(System.getProperty("spin", "true"))) {
					options.addConfigEntry("session.intra_op.allow_spinning", "0");
				}
				opened.add(environment.createSession(model, options));
			}
			AtomicLong rows = new AtomicLong();
			CountDownLatch warm = new CountDownLatch(sessions);
			CountDownLatch start = new CountDownLatch(1);
			long[] window = new long[2];
			List<Thread> workers = new ArrayList<>();
			for (OrtSession session : opened) {
				Thread worker = new Thread(() -> run(environment, session, batch, rows, warm, start, seconds));
				workers.add(worker);
				worker.start();
			}
			warm.await();
			rows.set(0);
			window[0] = System.nanoTime();
			start.countDown();
			for (Thread worker : workers) {
				worker.join();
			}
			window[1] = System.nanoTime();
			return rows.get() / ((window[1] - window[0]) / 1e9);
		}
		finally {
			for (OrtSession session : opened) {
				session.close();
			}
		}
	}

	private static void run(OrtEnvironment environment, OrtSession session, int batch, AtomicLong rows,
			CountDownLatch warm, CountDownLatch start, double seconds) {
		try {
			Map<String, OnnxTensor> inputs = inputs(environment, session, batch);
			try {
				// Warm-up: the first runs allocate and plan.
				for (int i = 0; i < 3; i++) {
					session.run(inputs).close();
				}
				warm.countDown();
				start.await();
				long end = System.nanoTime() + (long) (seconds * 1e9);
				while (System.nanoTime() < end) {
					session.run(inputs).close();
					rows.addAndGet(batch);
				}
			}
			finally {
				inputs.values().forEach(OnnxTensor::close);
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Map<String, OnnxTensor> inputs(OrtEnvironment environment, OrtSession session, int batch)
			throws Exception {
		Map<String, OnnxTensor> inputs = new HashMap<>();
		java.util.Random random = new java.util.Random(1);
		for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
			TensorInfo info = (TensorInfo) input.getValue().getInfo();
			long[] shape = info.getShape().clone();
			shape[0] = batch;
			for (int i = 1; i < shape.length; i++) {
				if (shape[i] < 0) {
					throw new IllegalArgumentException(
							"input " + input.getKey() + " has a dynamic axis besides the batch: " + Arrays.toString(shape));
				}
			}
			int size = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
			OnnxTensor tensor = switch (info.type) {
				case FLOAT -> {
					float[] values = new float[size];
					for (int i = 0; i < size; i++) {
						values[i] = (float) random.nextGaussian();
					}
					yield OnnxTensor.createTensor(environment, FloatBuffer.wrap(values), shape);
				}
				case INT64 -> OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[size]), shape);
				default -> throw new IllegalArgumentException("input " + input.getKey() + " has type " + info.type);
			};
			inputs.put(input.getKey(), tensor);
		}
		return inputs;
	}

}
