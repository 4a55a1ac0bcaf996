package dev.visionserve.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

import dev.visionserve.batching.BatchPolicy;
import dev.visionserve.batching.DynamicBatcher;
import dev.visionserve.batching.MicrometerBatchMetrics;

/**
 * Turns one model folder into a {@link LoadedModel}: reads model.yaml and the labels,
 * opens {@code instancesPerDevice} sessions per device, lets the kind's
 * {@link ModelKindSupport} check the tensors, warms every session up (each batch bucket
 * on a GPU), and puts a {@link DynamicBatcher} with one worker per session in front.
 * Thread-safe; stateless between calls.
 */
public final class ModelLoader {

	private final OrtRuntime runtime;

	private final SessionFactory sessionFactory;

	private final MeterRegistry registry;

	private final Map<String, ModelKindSupport> kinds = new LinkedHashMap<>();

	private final int cpuCores;

	private final ModelConfigReader configReader = new ModelConfigReader();

	/**
	 * @param cpuCores the cores ONNX Runtime may use in all; the default intra-op threads
	 * of a model are these divided among its CPU sessions, so several sessions do not
	 * oversubscribe the machine
	 */
	public ModelLoader(OrtRuntime runtime, SessionFactory sessionFactory, MeterRegistry registry,
			List<ModelKindSupport> kinds, int cpuCores) {
		this.runtime = runtime;
		this.sessionFactory = sessionFactory;
		this.registry = registry;
		kinds.forEach((support) -> this.kinds.put(support.kind(), support));
		this.cpuCores = cpuCores;
	}

	/**
	 * @return the kinds that can be loaded
	 */
	public List<String> kinds() {
		return List.copyOf(this.kinds.keySet());
	}

	/**
	 * @param name the model's name (its folder name)
	 * @param directory the model's folder
	 * @return the warmed-up model, serving
	 * @throws ModelLoadException why it cannot be served
	 */
	public LoadedModel load(String name, Path directory) throws ModelLoadException {
		ModelConfig config = this.configReader.read(directory.resolve("model.yaml"));
		ModelKindSupport support = this.kinds.get(config.kind());
		if (support == null) {
			throw new ModelLoadException("unknown kind '" + config.kind() + "'; supported: " + this.kinds.keySet());
		}
		Path modelFile = directory.resolve("model.onnx");
		if (!Files.isRegularFile(modelFile)) {
			// The reason is shown to clients (GET /models, health): name the file, not
			// the server's folder layout.
			throw new ModelLoadException("model.onnx not found in the model folder");
		}
		List<String> labels = readLabels(directory.resolve(config.labels()));
		int threads = intraOpThreads(config);
		List<ModelSession> sessions = openSessions(name, modelFile, config, threads);
		SoloSession solo = null;
		try {
			solo = openSoloSession(name, modelFile, config, threads);
			Map<String, TensorSpec> inputs = completeInputs(sessions.get(0).inputs(), config);
			Map<String, TensorSpec> outputs = sessions.get(0).outputs();
			LoadedModel model = new LoadedModel(name, directory, config, labels, inputs, outputs, sessions, solo);
			support.validate(model);
			List<TensorBatchProcessor> processors = new ArrayList<>();
			boolean soloWarm = false;
			for (ModelSession session : sessions) {
				BatchBuckets buckets = session.device().isGpu()
						? BatchBuckets.powersOfTwoUpTo(config.batching().maxBatchSize()) : BatchBuckets.exact();
				TensorBatchProcessor processor = new TensorBatchProcessor(this.runtime.environment(), session,
						session.device().isGpu() ? null : solo, inputs, outputs, buckets,
						new InferenceMetrics(this.registry, name, session.device()));
				warmUp(processor, session, inputs, buckets);
				if (solo != null && !soloWarm && !session.device().isGpu()) {
					warmUp(processor, solo.session(), inputs, buckets);
					soloWarm = true;
				}
				processors.add(processor);
			}
			BatchPolicy policy = new BatchPolicy(config.batching().maxBatchSize(),
					config.batching().maxQueueDelayDuration(), config.batching().queueCapacity());
			model.attach(new DynamicBatcher<>("model-" + name, policy, processors,
					new MicrometerBatchMetrics(this.registry, name)));
			return model;
		}
		catch (ModelLoadException | RuntimeException ex) {
			closeQuietly(sessions, solo);
			throw ex;
		}
		catch (Exception ex) {
			closeQuietly(sessions, solo);
			throw new ModelLoadException("warm-up run failed: " + ex.getMessage(), ex);
		}
	}

	/**
	 * ONNX Runtime threads of each narrow session: as configured, else the cores shared
	 * among the CPU sessions.
	 */
	private int intraOpThreads(ModelConfig config) {
		long cpuSessions = config.parsedDevices().stream().filter((device) -> !device.isGpu()).count()
				* config.instancesPerDevice();
		return (config.intraOpThreads() != null) ? config.intraOpThreads()
				: (int) Math.max(1, this.cpuCores / Math.max(1, cpuSessions));
	}

	/**
	 * The all-cores session a lone batch runs on (see {@link SoloSession}): only for a
	 * model on the CPU whose narrow sessions have fewer threads than it would get.
	 */
	private SoloSession openSoloSession(String name, Path modelFile, ModelConfig config, int narrowThreads)
			throws ModelLoadException {
		boolean onCpu = config.parsedDevices().stream().anyMatch((device) -> !device.isGpu());
		int threads = (config.soloIntraOpThreads() != null) ? config.soloIntraOpThreads() : this.cpuCores;
		if (!onCpu || threads <= narrowThreads) {
			return null;
		}
		return new SoloSession(this.sessionFactory.open(modelFile, Device.CPU, threads, name));
	}

	private List<ModelSession> openSessions(String name, Path modelFile, ModelConfig config, int threads)
			throws ModelLoadException {
		List<Device> devices = config.parsedDevices();
		List<ModelSession> sessions = new ArrayList<>();
		try {
			for (Device device : devices) {
				for (int i = 0; i < config.instancesPerDevice(); i++) {
					sessions.add(this.sessionFactory.open(modelFile, device, threads, name));
				}
			}
			return sessions;
		}
		catch (ModelLoadException ex) {
			closeQuietly(sessions, null);
			throw ex;
		}
	}

	private static Map<String, TensorSpec> completeInputs(Map<String, TensorSpec> declared, ModelConfig config)
			throws ModelLoadException {
		Map<String, TensorSpec> inputs = new LinkedHashMap<>();
		for (TensorSpec spec : declared.values()) {
			List<Long> override = config.inputShapes().get(spec.name());
			TensorSpec completed = (override != null)
					? spec.withRowShape(override.stream().mapToLong(Long::longValue).toArray()) : spec;
			if (completed.type() == TensorSpec.ElementType.UNSUPPORTED) {
				throw new ModelLoadException("input '" + spec.name() + "' is neither float32 nor int64");
			}
			if (!completed.hasFixedRowShape()) {
				throw new ModelLoadException("input " + spec + " has a dynamic dimension besides the batch axis; "
						+ "give its per-row shape in model.yaml under inputShapes");
			}
			inputs.put(spec.name(), completed);
		}
		return inputs;
	}

	private static void warmUp(TensorBatchProcessor processor, ModelSession session, Map<String, TensorSpec> inputs,
			BatchBuckets buckets) throws Exception {
		for (int rows : buckets.warmUpSizes()) {
			Map<String, Tensor> zeros = new LinkedHashMap<>();
			for (TensorSpec spec : inputs.values()) {
				long[] shape = spec.shape().clone();
				shape[0] = rows;
				int elements = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
				zeros.put(spec.name(), (spec.type() == TensorSpec.ElementType.FLOAT32)
						? Tensor.ofFloats(new float[elements], shape) : Tensor.ofLongs(new long[elements], shape));
			}
			processor.processOn(session, List.of(new TensorJob(zeros)));
		}
	}

	private static List<String> readLabels(Path file) throws ModelLoadException {
		if (!Files.isRegularFile(file)) {
			return List.of();
		}
		try {
			List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
			while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
				lines.remove(lines.size() - 1);
			}
			return lines.stream().map(String::strip).toList();
		}
		catch (IOException ex) {
			throw new ModelLoadException("labels file " + file.getFileName() + " could not be read: " + ex.getMessage(),
					ex);
		}
	}

	private static void closeQuietly(List<ModelSession> sessions, SoloSession solo) {
		for (AutoCloseable session : SoloSession.withSessions(sessions, solo)) {
			try {
				session.close();
			}
			catch (Exception ignored) {
				// Already failing; the load failure is what gets reported.
			}
		}
	}

}
