package dev.visionserve.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.visionserve.batching.DynamicBatcher;

/**
 * A model ready to serve: its config, labels, tensor signature, sessions and the batcher
 * in front of them. Thread-safe: any request thread may {@link #submit}; the sessions are
 * touched only by the batcher's workers. Lives until the repository closes it.
 */
public final class LoadedModel implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(LoadedModel.class);

	private final String name;

	private final Path directory;

	private final ModelConfig config;

	private final List<String> labels;

	private final Map<String, TensorSpec> inputs;

	private final Map<String, TensorSpec> outputs;

	private final List<ModelSession> sessions;

	/** {@code null} when the model has none. */
	private final SoloSession solo;

	/**
	 * How long closing waits for the workers to finish what they accepted; a batch takes
	 * milliseconds, so this only matters for a run that hangs.
	 */
	private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

	private DynamicBatcher<TensorJob, TensorResult> batcher;

	LoadedModel(String name, Path directory, ModelConfig config, List<String> labels, Map<String, TensorSpec> inputs,
			Map<String, TensorSpec> outputs, List<ModelSession> sessions, SoloSession solo) {
		this.name = name;
		this.directory = directory;
		this.config = config;
		this.labels = List.copyOf(labels);
		this.inputs = inputs;
		this.outputs = outputs;
		this.sessions = List.copyOf(sessions);
		this.solo = solo;
	}

	void attach(DynamicBatcher<TensorJob, TensorResult> batcher) {
		this.batcher = batcher;
	}

	public String name() {
		return this.name;
	}

	public Path directory() {
		return this.directory;
	}

	public ModelConfig config() {
		return this.config;
	}

	/**
	 * @return the labels from the labels file, or an empty list when the model has none
	 */
	public List<String> labels() {
		return this.labels;
	}

	public Map<String, TensorSpec> inputs() {
		return this.inputs;
	}

	public Map<String, TensorSpec> outputs() {
		return this.outputs;
	}

	/**
	 * @return the narrow sessions, one per worker (not the solo session a lone batch may
	 * run on)
	 */
	public List<ModelSession> sessions() {
		return this.sessions;
	}

	/**
	 * @return waiting jobs in this model's queue
	 */
	public int queueDepth() {
		return (this.batcher != null) ? this.batcher.queueDepth() : 0;
	}

	/**
	 * Sheds load before the caller prepares a job: see
	 * {@link DynamicBatcher#refuseIfFull()}.
	 */
	public void refuseIfQueueFull() {
		if (this.batcher != null) {
			this.batcher.refuseIfFull();
		}
	}

	/**
	 * Resolves the ONNX input for a role: the name model.yaml maps the role to, else the
	 * model's only input, else the input named like the role.
	 * @throws ModelLoadException when none fits
	 */
	public TensorSpec input(String role) throws ModelLoadException {
		return resolve(role, this.config.inputs(), this.inputs, "input");
	}

	/** Like {@link #input(String)}, for outputs. */
	public TensorSpec output(String role) throws ModelLoadException {
		return resolve(role, this.config.outputs(), this.outputs, "output");
	}

	private static TensorSpec resolve(String role, Map<String, String> configured, Map<String, TensorSpec> specs,
			String what) throws ModelLoadException {
		String name = configured.get(role);
		if (name != null) {
			TensorSpec spec = specs.get(name);
			if (spec == null) {
				throw new ModelLoadException("model.yaml maps " + what + " role '" + role + "' to '" + name
						+ "', which the model lacks; " + what + "s: " + specs.keySet());
			}
			return spec;
		}
		if (specs.size() == 1) {
			return specs.values().iterator().next();
		}
		TensorSpec byName = specs.get(role);
		if (byName == null) {
			throw new ModelLoadException("Cannot tell which " + what + " is '" + role + "' among " + specs.keySet()
					+ "; name it in model.yaml under " + what + "s");
		}
		return byName;
	}

	/**
	 * Queues a job for the model. Its tensors must match the model's inputs exactly
	 * (names, types, row shapes): a mismatch is a programming error of the calling
	 * feature, refused here so it cannot fail other callers' batch.
	 * @param job one caller's rows, at most {@code maxBatchSize}
	 * @param deadline after which the job is dropped unrun
	 * @return the job's outputs
	 */
	public CompletableFuture<TensorResult> submit(TensorJob job, Instant deadline) {
		for (TensorSpec spec : this.inputs.values()) {
			Tensor tensor = job.inputs().get(spec.name());
			if (tensor == null || tensor.isFloat() != (spec.type() == TensorSpec.ElementType.FLOAT32)
					|| !Arrays.equals(tensor.rowShape(), spec.rowShape())) {
				throw new IllegalArgumentException(
						"Input " + spec + " of model '" + this.name + "' does not accept " + tensor);
			}
		}
		return this.batcher.submit(job, job.rows(), deadline);
	}

	/**
	 * @return the maximum rows of one job
	 */
	public int maxBatchSize() {
		return this.config.batching().maxBatchSize();
	}

	/**
	 * Refuses new jobs and fails the queued ones; the batch being run finishes. See
	 * {@link DynamicBatcher#stopAccepting()}.
	 */
	public void stopAccepting() {
		if (this.batcher != null) {
			this.batcher.stopAccepting();
		}
	}

	/**
	 * Drains the batcher and closes the sessions, unless a worker is still running: a
	 * session closed under a running {@code OrtSession.run} crashes the process, so such
	 * a session is left to the process's exit instead.
	 */
	@Override
	public void close() {
		if (this.batcher != null && !this.batcher.close(CLOSE_TIMEOUT)) {
			logger.error("A worker of '" + this.name + "' is still running after " + CLOSE_TIMEOUT.toSeconds()
					+ " s; its sessions stay open");
			return;
		}
		List<Exception> failures = new ArrayList<>();
		for (AutoCloseable session : SoloSession.withSessions(this.sessions, this.solo)) {
			try {
				session.close();
			}
			catch (Exception ex) {
				failures.add(ex);
			}
		}
		failures.forEach((ex) -> logger.warn("Closing a session of '" + this.name + "' failed", ex));
	}

}
