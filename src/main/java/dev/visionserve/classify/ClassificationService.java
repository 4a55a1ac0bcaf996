package dev.visionserve.classify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;

import dev.visionserve.image.PayloadTooLargeException;
import dev.visionserve.image.ImageDecoder;
import dev.visionserve.batching.BatcherClosedException;
import dev.visionserve.batching.DeadlineExceededException;
import dev.visionserve.batching.QueueFullException;
import dev.visionserve.classify.IndexedClassifications.IndexedClassification;
import dev.visionserve.runtime.InvalidParameterException;
import dev.visionserve.runtime.LoadedModel;
import dev.visionserve.runtime.ModelLoadException;
import dev.visionserve.runtime.ModelRepository;
import dev.visionserve.runtime.RequestTimeout;
import dev.visionserve.runtime.Tensor;
import dev.visionserve.runtime.TensorJob;
import dev.visionserve.runtime.TensorResult;
import dev.visionserve.runtime.TensorSpec;

/**
 * Classifies images: decodes and preprocesses each one on the calling thread, sends all
 * rows of the request to the model's batcher together (in jobs of at most
 * {@code maxBatchSize} rows), and ranks the scores. Thread-safe.
 */
public class ClassificationService {

	private final ModelRepository repository;

	private final ImageDecoder decoder;

	private final ClassifyLimits limits;

	private final String defaultModel;

	/** One preprocessor per loaded model instance; a reloaded model gets a fresh one. */
	private final Map<LoadedModel, ImagePreprocessor> preprocessors = new ConcurrentHashMap<>();

	public ClassificationService(ModelRepository repository, ClassifyLimits limits, String defaultModel) {
		this.repository = repository;
		this.decoder = new ImageDecoder(limits.maxImagePixels());
		this.limits = limits;
		this.defaultModel = defaultModel;
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

	public ClassifyLimits limits() {
		return this.limits;
	}

	/**
	 * @param modelName the classifier to use, or {@code null} for the default
	 * @param images the encoded images, at least one
	 * @param topK how many classes to return per image
	 * @param timeout the client's own deadline, capped by the model's
	 * {@code batching.timeout}
	 * @param start when the request began; the deadline counts from here
	 * @return one result per image, in order
	 */
	public ClassifyResponse classify(String modelName, List<byte[]> images, int topK, RequestTimeout timeout,
			Instant start) {
		String name = resolveName(modelName);
		if (images.isEmpty()) {
			throw new InvalidParameterException("image", "The request holds no image");
		}
		if (images.size() > this.limits.maxImagesPerRequest()) {
			throw new PayloadTooLargeException("The request holds " + images.size() + " images; the limit is "
					+ this.limits.maxImagesPerRequest());
		}
		LoadedModel model = this.repository.require(name, ClassifierSupport.KIND);
		// Under overload, refusing before decoding keeps each refusal cheap.
		model.refuseIfQueueFull();
		TensorSpec input = role(model, true);
		TensorSpec scores = role(model, false);
		int classes = (int) scores.shape()[1];
		if (topK < 1 || topK > classes) {
			throw new InvalidParameterException("topK",
					"topK must be 1 to " + classes + " for model '" + name + "', was " + topK);
		}
		ImagePreprocessor preprocessor = this.preprocessors.computeIfAbsent(model,
				(m) -> new ImagePreprocessor(m.config().preprocessing(), (int) input.shape()[3], (int) input.shape()[2],
						this.limits.maxImagePixels()));
		List<float[]> rows = new ArrayList<>(images.size());
		for (int i = 0; i < images.size(); i++) {
			String which = (images.size() == 1) ? "The image" : "Image " + (i + 1);
			rows.add(preprocessor.toInputRow(this.decoder.decode(images.get(i), which)));
		}
		Instant deadline = timeout.deadline(start, model.config().batching().timeoutDuration());
		float[][] scoreRows = run(model, input, scores, rows, deadline);
		List<String> labels = labels(model, classes);
		List<ClassifyResponse.ImageResult> results = new ArrayList<>();
		for (float[] row : scoreRows) {
			List<Double> probabilities = model.config().postprocessing().softmax() ? softmax(row) : asList(row);
			List<IndexedClassification> top = new IndexedClassifications(labels, probabilities).topK(topK);
			results.add(new ClassifyResponse.ImageResult(top.stream()
				.map((c) -> new ClassifyResponse.Prediction(c.getClassName(), c.index(), c.getProbability()))
				.toList()));
		}
		return new ClassifyResponse(name, results);
	}

	private float[][] run(LoadedModel model, TensorSpec input, TensorSpec scores, List<float[]> rows,
			Instant deadline) {
		int rowSize = rows.get(0).length;
		List<CompletableFuture<TensorResult>> jobs = new ArrayList<>();
		try {
			for (int start = 0; start < rows.size(); start += model.maxBatchSize()) {
				int count = Math.min(model.maxBatchSize(), rows.size() - start);
				float[] data = new float[count * rowSize];
				for (int i = 0; i < count; i++) {
					System.arraycopy(rows.get(start + i), 0, data, i * rowSize, rowSize);
				}
				long[] shape = input.shape().clone();
				shape[0] = count;
				jobs.add(model.submit(new TensorJob(Map.of(input.name(), Tensor.ofFloats(data, shape))), deadline));
			}
			float[][] out = new float[rows.size()][];
			int row = 0;
			for (CompletableFuture<TensorResult> job : jobs) {
				Tensor result = await(job, deadline, model.name()).output(scores.name());
				for (int i = 0; i < result.rows(); i++) {
					out[row++] = result.slice(i, 1).floats();
				}
			}
			return out;
		}
		finally {
			// If one job failed the request failed: the others need not be computed.
			jobs.forEach((job) -> job.cancel(false));
		}
	}

	private static TensorResult await(CompletableFuture<TensorResult> job, Instant deadline, String model) {
		try {
			long remaining = Math.max(0, Duration.between(Instant.now(), deadline).toNanos());
			return job.get(remaining, TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			throw new DeadlineExceededException("model-" + model);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InferenceFailedException(model, ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof QueueFullException || cause instanceof DeadlineExceededException
					|| cause instanceof BatcherClosedException) {
				throw (RuntimeException) cause;
			}
			throw new InferenceFailedException(model, cause);
		}
	}

	private static TensorSpec role(LoadedModel model, boolean input) {
		try {
			return input ? model.input(ClassifierSupport.IMAGE_ROLE) : model.output(ClassifierSupport.SCORES_ROLE);
		}
		catch (ModelLoadException ex) {
			// Validated at load time; reaching this is a bug.
			throw new IllegalStateException(ex.getMessage(), ex);
		}
	}

	private static List<String> labels(LoadedModel model, int classes) {
		return model.labels().isEmpty() ? IntStream.range(0, classes).mapToObj(Integer::toString).toList()
				: model.labels();
	}

	/**
	 * Softmax in double precision, shifted by the maximum so large logits cannot
	 * overflow.
	 */
	static List<Double> softmax(float[] logits) {
		double max = Double.NEGATIVE_INFINITY;
		for (float logit : logits) {
			max = Math.max(max, logit);
		}
		double[] exp = new double[logits.length];
		double sum = 0;
		for (int i = 0; i < logits.length; i++) {
			exp[i] = Math.exp(logits[i] - max);
			sum += exp[i];
		}
		List<Double> probabilities = new ArrayList<>(logits.length);
		for (double e : exp) {
			probabilities.add(e / sum);
		}
		return probabilities;
	}

	private static List<Double> asList(float[] scores) {
		List<Double> list = new ArrayList<>(scores.length);
		for (float score : scores) {
			list.add((double) score);
		}
		return list;
	}

}
