package dev.visionserve.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.convert.DurationStyle;

/**
 * The contents of one {@code models/<name>/model.yaml}, with defaults filled in.
 * Immutable. The format is documented in {@code docs/models.md}; every field but
 * {@code kind} is optional.
 *
 * @param kind what the model does: {@code classifier} or {@code denoiser}
 * @param inputs ONNX input names by role (a classifier's role is {@code image}); a
 * missing role is matched by the model's only input or by name
 * @param outputs ONNX output names by role (a classifier's role is {@code scores})
 * @param inputShapes per-row shapes for inputs whose non-batch dimensions the ONNX file
 * leaves dynamic
 * @param preprocessing how images become the input tensor
 * @param postprocessing what to do with the output scores
 * @param labels the labels file, relative to the model folder
 * @param batching dynamic batching and queueing
 * @param devices where sessions run: {@code cpu}, {@code cuda:N}
 * @param instancesPerDevice sessions (each with its own worker thread) per device
 * @param intraOpThreads ONNX Runtime threads per CPU session; {@code null} means cores /
 * CPU sessions
 * @param soloIntraOpThreads threads of the extra CPU session a batch runs on when it is
 * the only one running; {@code null} means all cores; none is opened when this is not
 * more than {@code intraOpThreads}
 * @param diffusion a denoiser's training setup and generation defaults; {@code null} for
 * other kinds
 */
public record ModelConfig(String kind, Map<String, String> inputs, Map<String, String> outputs,
		Map<String, List<Long>> inputShapes, Preprocessing preprocessing, Postprocessing postprocessing, String labels,
		Batching batching, List<String> devices, Integer instancesPerDevice, Integer intraOpThreads,
		Integer soloIntraOpThreads, Diffusion diffusion) {

	public ModelConfig {
		require(kind != null && !kind.isBlank(), "kind is required (classifier or denoiser)");
		kind = kind.trim().toLowerCase(Locale.ROOT);
		inputs = (inputs != null) ? Map.copyOf(inputs) : Map.of();
		outputs = (outputs != null) ? Map.copyOf(outputs) : Map.of();
		inputShapes = (inputShapes != null) ? Map.copyOf(inputShapes) : Map.of();
		preprocessing = (preprocessing != null) ? preprocessing : Preprocessing.DEFAULT;
		postprocessing = (postprocessing != null) ? postprocessing : new Postprocessing(null);
		labels = (labels != null) ? labels : "labels.txt";
		batching = (batching != null) ? batching : new Batching(null, null, null, null);
		devices = (devices != null && !devices.isEmpty()) ? List.copyOf(devices) : List.of("cpu");
		devices.forEach(Device::parse);
		instancesPerDevice = (instancesPerDevice != null) ? instancesPerDevice : 1;
		require(instancesPerDevice >= 1 && instancesPerDevice <= 64, "instancesPerDevice must be 1 to 64");
		require(intraOpThreads == null || (intraOpThreads >= 1 && intraOpThreads <= 256),
				"intraOpThreads must be 1 to 256");
		require(soloIntraOpThreads == null || (soloIntraOpThreads >= 0 && soloIntraOpThreads <= 256),
				"soloIntraOpThreads must be 0 (none) to 256");
	}

	public List<Device> parsedDevices() {
		return this.devices.stream().map(Device::parse).toList();
	}

	static void require(boolean condition, String message) {
		if (!condition) {
			throw new IllegalArgumentException(message);
		}
	}

	/** How a color image is reduced to the model's channels. */
	public enum ColorMode {

		GRAYSCALE(1), RGB(3);

		private final int channels;

		ColorMode(int channels) {
			this.channels = channels;
		}

		public int channels() {
			return this.channels;
		}

	}

	/**
	 * Whether to turn the image negative before normalising (models trained on
	 * light-on-dark images).
	 */
	public enum Invert {

		/** Never invert. */
		NEVER,
		/** Always invert. */
		ALWAYS,
		/**
		 * Invert when the image's border is lighter than mid-grey, i.e. the object sits
		 * on a light background.
		 */
		AUTO

	}

	/**
	 * Image preprocessing, in the order torchvision applies it: color conversion, resize
	 * of the shorter side, center crop, a final resize to {@code width × height} if the
	 * result differs, inversion, then {@code (x·scale − mean) /
	 * std} per channel.
	 *
	 * @param width input width in pixels
	 * @param height input height in pixels
	 * @param colorMode grayscale or RGB
	 * @param resize the shorter side after the first resize, or {@code null} for none
	 * @param centerCrop the side of the square center crop, or {@code null} for none
	 * @param scale the factor applied to 0–255 pixel values
	 * @param mean per-channel mean subtracted after scaling (one value applies to all
	 * channels)
	 * @param std per-channel standard deviation divided by (one value applies to all
	 * channels)
	 * @param invert whether to invert
	 */
	public record Preprocessing(Integer width, Integer height, ColorMode colorMode, Integer resize, Integer centerCrop,
			Double scale, List<Double> mean, List<Double> std, Invert invert) {

		static final Preprocessing DEFAULT = new Preprocessing(null, null, null, null, null, null, null, null, null);

		public Preprocessing {
			colorMode = (colorMode != null) ? colorMode : ColorMode.RGB;
			scale = (scale != null) ? scale : 1.0 / 255.0;
			mean = (mean != null) ? List.copyOf(mean) : List.of(0.0);
			std = (std != null) ? List.copyOf(std) : List.of(1.0);
			invert = (invert != null) ? invert : Invert.NEVER;
			require(width == null || (width > 0 && width <= 8192), "preprocessing.width must be 1 to 8192");
			require(height == null || (height > 0 && height <= 8192), "preprocessing.height must be 1 to 8192");
			require(resize == null || (resize > 0 && resize <= 8192), "preprocessing.resize must be 1 to 8192");
			require(centerCrop == null || (centerCrop > 0 && centerCrop <= 8192),
					"preprocessing.centerCrop must be 1 to 8192");
			require(mean.size() == 1 || mean.size() == colorMode.channels(),
					"preprocessing.mean needs 1 or " + colorMode.channels() + " values");
			require(std.size() == 1 || std.size() == colorMode.channels(),
					"preprocessing.std needs 1 or " + colorMode.channels() + " values");
			require(std.stream().allMatch((s) -> s != 0.0), "preprocessing.std must not contain 0");
		}

		public float meanOf(int channel) {
			return this.mean.get((this.mean.size() == 1) ? 0 : channel).floatValue();
		}

		public float stdOf(int channel) {
			return this.std.get((this.std.size() == 1) ? 0 : channel).floatValue();
		}

	}

	/**
	 * @param softmax whether the scores are logits to be turned into probabilities
	 * (default true); false when the model ends in its own softmax
	 */
	public record Postprocessing(Boolean softmax) {

		public Postprocessing {
			softmax = (softmax != null) ? softmax : Boolean.TRUE;
		}

	}

	/**
	 * @param maxBatchSize rows per run (default 32)
	 * @param maxQueueDelay how long to wait for a batch to fill, e.g. {@code 2ms}
	 * (default 0)
	 * @param queueCapacity requests waiting before new ones get 429 (default 256)
	 * @param timeout how long a request may wait and run before it gets 503 (default 30s)
	 */
	public record Batching(Integer maxBatchSize, String maxQueueDelay, Integer queueCapacity, String timeout) {

		public Batching {
			maxBatchSize = (maxBatchSize != null) ? maxBatchSize : 32;
			maxQueueDelay = (maxQueueDelay != null) ? maxQueueDelay : "0ms";
			queueCapacity = (queueCapacity != null) ? queueCapacity : 256;
			timeout = (timeout != null) ? timeout : "30s";
			require(maxBatchSize >= 1 && maxBatchSize <= 4096, "batching.maxBatchSize must be 1 to 4096");
			require(queueCapacity >= 1 && queueCapacity <= 1_000_000, "batching.queueCapacity must be 1 to 1000000");
			require(!parse(maxQueueDelay, "maxQueueDelay").isNegative(), "batching.maxQueueDelay must not be negative");
			require(!parse(timeout, "timeout").isNegative() && !parse(timeout, "timeout").isZero(),
					"batching.timeout must be positive");
		}

		public Duration maxQueueDelayDuration() {
			return parse(this.maxQueueDelay, "maxQueueDelay");
		}

		public Duration timeoutDuration() {
			return parse(this.timeout, "timeout");
		}

		private static Duration parse(String text, String field) {
			try {
				return DurationStyle.detectAndParse(text);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException(
						"batching." + field + " '" + text + "' is not a duration (examples: 0ms, 5ms, 30s)");
			}
		}

	}

	/**
	 * A denoiser's training setup and generation defaults. The schedule names are those
	 * of diffusers; the generate feature checks them when the model loads.
	 *
	 * @param width image width in pixels
	 * @param height image height in pixels
	 * @param channels 1 (grayscale) or 3 (RGB)
	 * @param pixelRange the model's values for black and white, e.g. {@code [-1, 1]}
	 * @param numClasses classes the model is conditioned on (0 for an unconditional
	 * model)
	 * @param nullClass the class index meaning "no class" (classifier-free guidance);
	 * default {@code numClasses}
	 * @param numTrainTimesteps the training diffusion length T
	 * @param betaSchedule {@code linear}, {@code scaled_linear} or
	 * {@code squaredcos_cap_v2}
	 * @param betaStart the first beta
	 * @param betaEnd the last beta
	 * @param predictionType {@code epsilon}, {@code v_prediction} or {@code sample}
	 * @param clipSample whether to clip the predicted clean image
	 * @param clipSampleRange the clipping bound
	 * @param timestepSpacing {@code leading}, {@code trailing} or {@code linspace}
	 * @param stepsOffset added to leading timesteps
	 * @param defaultSampler the sampler when a request names none
	 * @param defaultSteps the steps when a request gives none
	 * @param defaultGuidanceScale the classifier-free guidance scale when a request gives
	 * none
	 */
	public record Diffusion(Integer width, Integer height, Integer channels, List<Double> pixelRange,
			Integer numClasses, Integer nullClass, Integer numTrainTimesteps, String betaSchedule, Double betaStart,
			Double betaEnd, String predictionType, Boolean clipSample, Double clipSampleRange, String timestepSpacing,
			Integer stepsOffset, String defaultSampler, Integer defaultSteps, Double defaultGuidanceScale) {

		public Diffusion {
			channels = (channels != null) ? channels : 1;
			pixelRange = (pixelRange != null) ? List.copyOf(pixelRange) : List.of(-1.0, 1.0);
			numClasses = (numClasses != null) ? numClasses : 0;
			nullClass = (nullClass != null) ? nullClass : numClasses;
			numTrainTimesteps = (numTrainTimesteps != null) ? numTrainTimesteps : 1000;
			betaSchedule = (betaSchedule != null) ? betaSchedule : "linear";
			betaStart = (betaStart != null) ? betaStart : 0.0001;
			betaEnd = (betaEnd != null) ? betaEnd : 0.02;
			predictionType = (predictionType != null) ? predictionType : "epsilon";
			clipSample = (clipSample != null) ? clipSample : Boolean.TRUE;
			clipSampleRange = (clipSampleRange != null) ? clipSampleRange : 1.0;
			timestepSpacing = (timestepSpacing != null) ? timestepSpacing : "leading";
			stepsOffset = (stepsOffset != null) ? stepsOffset : 0;
			defaultSampler = (defaultSampler != null) ? defaultSampler : "ddim";
			defaultSteps = (defaultSteps != null) ? defaultSteps : 50;
			defaultGuidanceScale = (defaultGuidanceScale != null) ? defaultGuidanceScale : 1.0;
			require(width == null || (width > 0 && width <= 4096), "diffusion.width must be 1 to 4096");
			require(height == null || (height > 0 && height <= 4096), "diffusion.height must be 1 to 4096");
			require(channels == 1 || channels == 3, "diffusion.channels must be 1 or 3");
			require(pixelRange.size() == 2 && pixelRange.get(0) < pixelRange.get(1),
					"diffusion.pixelRange must be [black, white] with black < white");
			require(numClasses >= 0, "diffusion.numClasses must not be negative");
			require(nullClass >= 0, "diffusion.nullClass must not be negative");
			require(numTrainTimesteps >= 1 && numTrainTimesteps <= 100_000,
					"diffusion.numTrainTimesteps must be 1 to 100000");
			require(defaultSteps >= 1 && defaultSteps <= numTrainTimesteps,
					"diffusion.defaultSteps must be 1 to numTrainTimesteps");
			require(defaultGuidanceScale >= 0 && defaultGuidanceScale <= 20,
					"diffusion.defaultGuidanceScale must be 0 to 20");
		}

	}

}
