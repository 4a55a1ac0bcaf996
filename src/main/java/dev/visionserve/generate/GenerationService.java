package dev.visionserve.generate;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import io.micrometer.core.instrument.MeterRegistry;

import dev.visionserve.generate.scheduler.Schedulers;
import dev.visionserve.runtime.InvalidParameterException;
import dev.visionserve.runtime.LoadedModel;
import dev.visionserve.runtime.ModelConfig.Diffusion;
import dev.visionserve.runtime.ModelLoadException;
import dev.visionserve.runtime.ModelRepository;
import dev.visionserve.runtime.RequestTimeout;

/**
 * Resolves and validates generation requests against their model and hands them to that
 * model's {@link DiffusionEngine}. Thread-safe; one engine per loaded model, created on
 * first use.
 */
public class GenerationService implements AutoCloseable {

	private final ModelRepository repository;

	private final MeterRegistry registry;

	private final String defaultModel;

	private final long maxWork;

	private final EditImages images;

	private final Map<LoadedModel, DiffusionEngine> engines = new ConcurrentHashMap<>();

	/**
	 * @param maxWork the most {@code count × model calls} one request may ask for
	 * @param maxImagePixels the most pixels an uploaded image may declare
	 */
	public GenerationService(ModelRepository repository, MeterRegistry registry, String defaultModel, long maxWork,
			long maxImagePixels) {
		this.repository = repository;
		this.registry = registry;
		this.defaultModel = defaultModel;
		this.maxWork = maxWork;
		this.images = new EditImages(maxImagePixels);
	}

	/**
	 * @return the model a request means: the one it names, else the default
	 */
	public String resolveName(String requested) {
		return (requested == null || requested.isBlank()) ? this.defaultModel : requested;
	}

	/**
	 * @return whether the repository holds a model of this name, so it may be used as a
	 * metric tag
	 */
	public boolean isKnown(String name) {
		return this.repository.contains(name);
	}

	/**
	 * Validates the request against its model and queues it, due by the client's deadline
	 * capped by the model's {@code batching.timeout}, counted from {@code start}.
	 * @throws InvalidParameterException naming the field that cannot be served
	 * @throws dev.visionserve.batching.QueueFullException when the model's loop is full
	 */
	GenerationJob start(GenerateRequest request, GenerationListener listener, RequestTimeout timeout, Instant start) {
		DiffusionEngine engine = engine(request.model());
		Instant deadline = timeout.deadline(start, engine.denoiser().model().config().batching().timeoutDuration());
		GenerationSpec spec = resolve(request, engine.denoiser(), deadline, new EditPlan.Synthesis());
		requireWithinWork(spec, spec.steps());
		return engine.submit(spec, listener);
	}

	/**
	 * Validates an editing request against its model, turns its images into the model's
	 * pixel space and queues it like a generation.
	 * @param image the uploaded image file
	 * @param mask the mask file for inpainting, else {@code null}
	 * @throws InvalidParameterException naming the field that cannot be served
	 */
	GenerationJob startEdit(EditMode mode, byte[] image, byte[] mask, EditParameters parameters,
			GenerationListener listener, RequestTimeout timeout, Instant start) {
		DiffusionEngine engine = engine(parameters.model());
		Denoiser denoiser = engine.denoiser();
		Instant deadline = timeout.deadline(start, denoiser.model().config().batching().timeoutDuration());
		EditPlan plan = new EditPlanner(this.images, denoiser).plan(mode, image, mask, parameters);
		GenerationSpec spec = resolve(EditPlanner.withDefaults(mode, plan, parameters), denoiser, deadline, plan);
		requireWithinWork(spec, EditPlanner.modelCalls(plan, spec.steps()));
		return engine.submit(spec, listener);
	}

	private DiffusionEngine engine(String requestedModel) {
		LoadedModel model = this.repository.require(resolveName(requestedModel), DenoiserSupport.KIND);
		return this.engines.computeIfAbsent(model, this::newEngine);
	}

	private void requireWithinWork(GenerationSpec spec, int calls) {
		long work = (long) spec.count() * calls;
		if (work > this.maxWork) {
			throw new InvalidParameterException("count",
					"count × model calls is " + work + " (count " + spec.count() + ", " + calls
							+ " model calls per image); the limit is " + this.maxWork
							+ " (visionserve.limits.max-generation-work): ask for fewer images or fewer steps");
		}
	}

	private DiffusionEngine newEngine(LoadedModel model) {
		try {
			return new DiffusionEngine(Denoiser.of(model), this.registry);
		}
		catch (ModelLoadException ex) {
			// Validated when the model loaded; reaching this is a bug.
			throw new IllegalStateException(ex.getMessage(), ex);
		}
	}

	private static GenerationSpec resolve(GenerateRequest request, Denoiser denoiser, Instant deadline, EditPlan plan) {
		Diffusion diffusion = denoiser.diffusion();
		int count = (request.count() != null) ? request.count() : 1;
		int steps = (request.steps() != null) ? request.steps() : diffusion.defaultSteps();
		if (steps > diffusion.numTrainTimesteps()) {
			throw new InvalidParameterException("steps",
					"steps must be 1 to " + diffusion.numTrainTimesteps() + " for this model, was " + steps);
		}
		String sampler = (request.sampler() != null) ? request.sampler().trim().toLowerCase(java.util.Locale.ROOT)
				: diffusion.defaultSampler();
		if (!Schedulers.names().contains(sampler)) {
			throw new InvalidParameterException("sampler",
					"sampler '" + request.sampler() + "' is unknown; use one of " + Schedulers.names());
		}
		double guidance = (request.guidanceScale() != null) ? request.guidanceScale()
				: diffusion.defaultGuidanceScale();
		Integer classIndex = classIndex(request.label(), denoiser);
		GenerationSpec spec = new GenerationSpec(denoiser, classIndex, count, steps, sampler,
				(request.eta() != null) ? request.eta() : 0.0, guidance,
				(request.seed() != null) ? request.seed()
						: ThreadLocalRandom.current().nextLong(GenerateRequest.MAX_SEED - 16),
				(request.previewEvery() != null) ? request.previewEvery() : 0, deadline, plan);
		if (spec.rowsPerTick() > denoiser.model().maxBatchSize()) {
			throw new InvalidParameterException("count",
					"count " + count + (spec.guided() ? " with guidance" : "") + " needs " + spec.rowsPerTick()
							+ " rows per step; this model runs at most " + denoiser.model().maxBatchSize());
		}
		return spec;
	}

	private static Integer classIndex(String label, Denoiser denoiser) {
		if (label == null || label.isBlank()) {
			return null;
		}
		int classes = denoiser.diffusion().numClasses();
		if (!denoiser.isConditional()) {
			throw new InvalidParameterException("label", "this model is unconditional; omit 'label'");
		}
		List<String> labels = denoiser.labels();
		String wanted = label.trim();
		for (int i = 0; i < labels.size(); i++) {
			if (labels.get(i).equalsIgnoreCase(wanted)) {
				return i;
			}
		}
		try {
			int index = Integer.parseInt(wanted);
			if (index >= 0 && index < classes) {
				return index;
			}
		}
		catch (NumberFormatException ex) {
			// Neither a known name nor an index: reported below with the valid values.
		}
		throw new InvalidParameterException("label", "label '" + label + "' is unknown; use a class index 0 to "
				+ (classes - 1) + (labels.isEmpty() ? "" : " or one of " + labels));
	}

	/**
	 * For a shutdown whose drain time is up: every generation not finished yet fails with
	 * 503 {@code SHUTTING_DOWN}, and no new one is accepted.
	 */
	public void abort() {
		this.engines.values().forEach(DiffusionEngine::abort);
	}

	/** Stops every engine's lanes, waiting for them; the models close after this. */
	@Override
	public void close() {
		this.engines.values().forEach(DiffusionEngine::close);
	}

}
