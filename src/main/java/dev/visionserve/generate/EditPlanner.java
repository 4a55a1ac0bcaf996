package dev.visionserve.generate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.visionserve.generate.scheduler.ClippedNoise;
import dev.visionserve.generate.scheduler.ForwardDiffusion;
import dev.visionserve.generate.scheduler.LinearProjection;
import dev.visionserve.generate.scheduler.NoiseLevelEstimator;
import dev.visionserve.generate.scheduler.NoiseSchedule;
import dev.visionserve.generate.scheduler.RePaint;
import dev.visionserve.generate.scheduler.SdEdit;
import dev.visionserve.image.DecodedImage;
import dev.visionserve.runtime.InvalidParameterException;

/**
 * Turns an editing request into its {@link EditPlan}: checks that each parameter belongs
 * to the mode, reads the images into the model's pixel space and fills in the mode's
 * defaults. One per request.
 */
final class EditPlanner {

	static final int DEFAULT_JUMP_LENGTH = 5;

	static final int DEFAULT_RESAMPLE_COUNT = 10;

	static final double DEFAULT_STRENGTH = 0.6;

	static final String POSTERIOR_MEAN = "posterior-mean";

	static final String SAMPLE = "sample";

	/** Inpainting renoises in the variance-preserving space between steps. */
	private static final List<String> INPAINT_SAMPLERS = List.of("ddim", "ddpm");

	/**
	 * Their noise levels are a grid from σ_max that a run can only start part way down
	 * (img2img); denoising starts at the image's own level on the model's timesteps.
	 */
	private static final List<String> KARRAS_SAMPLERS = List.of("dpmpp-2m-karras", "unipc-karras");

	private final EditImages images;

	private final Denoiser denoiser;

	EditPlanner(EditImages images, Denoiser denoiser) {
		this.images = images;
		this.denoiser = denoiser;
	}

	EditPlan plan(EditMode mode, byte[] image, byte[] mask, EditParameters parameters) {
		refuseOtherModesParameters(mode, parameters);
		if (mode != EditMode.INPAINT && mask != null) {
			throw new InvalidParameterException("mask", "Only /inpaint takes a mask");
		}
		return switch (mode) {
			case INPAINT -> inpaint(image, mask, parameters);
			case SUPER_RESOLUTION -> {
				EditImages.LowResolution low = this.images.lowResolution(image, this.denoiser);
				yield new EditPlan.SuperResolution(low.pixels(), new LinearProjection(this.denoiser.channels(),
						this.denoiser.height(), this.denoiser.width(), low.factor()));
			}
			case DENOISE -> denoise(image, parameters);
			case IMG2IMG -> new EditPlan.ImageToImage(this.images.image(this.images.decode(image), this.denoiser),
					(parameters.strength() != null) ? parameters.strength() : DEFAULT_STRENGTH);
		};
	}

	private EditPlan inpaint(byte[] image, byte[] mask, EditParameters parameters) {
		if (mask == null) {
			throw new InvalidParameterException("mask",
					"/inpaint needs a 'mask' image the size of the image: white = fill, black = keep");
		}
		String sampler = (parameters.sampler() != null) ? normalised(parameters.sampler()) : null;
		if (sampler != null && !INPAINT_SAMPLERS.contains(sampler)) {
			throw new InvalidParameterException("sampler", "Inpainting runs on ddim or ddpm (RePaint renoises "
					+ "between their steps); sampler '" + parameters.sampler() + "' cannot be used");
		}
		DecodedImage decoded = this.images.decode(image);
		return new EditPlan.Inpaint(this.images.image(decoded, this.denoiser),
				this.images.keep(mask, decoded, this.denoiser),
				(parameters.jumpLength() != null) ? parameters.jumpLength() : DEFAULT_JUMP_LENGTH,
				(parameters.resampleCount() != null) ? parameters.resampleCount() : DEFAULT_RESAMPLE_COUNT);
	}

	private EditPlan denoise(byte[] image, EditParameters parameters) {
		String method = (parameters.method() != null) ? normalised(parameters.method()) : POSTERIOR_MEAN;
		if (!method.equals(POSTERIOR_MEAN) && !method.equals(SAMPLE)) {
			throw new InvalidParameterException("method",
					"method '" + parameters.method() + "' is unknown; use posterior-mean or sample");
		}
		boolean posteriorMean = method.equals(POSTERIOR_MEAN);
		if (posteriorMean && (parameters.steps() != null || parameters.sampler() != null || parameters.eta() != null)) {
			throw new InvalidParameterException(
					(parameters.steps() != null) ? "steps" : (parameters.sampler() != null) ? "sampler" : "eta",
					"The posterior mean is one model call (Tweedie's formula): steps, sampler and eta apply to "
							+ "method 'sample' only");
		}
		if (parameters.sampler() != null && KARRAS_SAMPLERS.contains(normalised(parameters.sampler()))) {
			throw new InvalidParameterException("sampler",
					"Denoising starts at the image's own noise level, which "
							+ "the Karras samplers' grid does not hold; sampler '" + parameters.sampler()
							+ "' cannot be used (dpmpp-2m and unipc can)");
		}
		float[] pixels = this.images.image(this.images.decode(image), this.denoiser);
		List<Double> range = this.denoiser.diffusion().pixelRange();
		double black = range.get(0);
		double unitsPerLevel = (range.get(1) - black) / 255.0;
		float[] levels = new float[pixels.length];
		for (int i = 0; i < levels.length; i++) {
			levels[i] = (float) ((pixels[i] - black) / unitsPerLevel);
		}
		boolean estimated = parameters.noiseLevel() == null;
		double level = estimated ? NoiseLevelEstimator.estimate(levels, this.denoiser.channels(),
				this.denoiser.height(), this.denoiser.width()) : parameters.noiseLevel();
		float[] noisy = ClippedNoise.unclip(levels, level);
		for (int i = 0; i < noisy.length; i++) {
			noisy[i] = (float) (black + noisy[i] * unitsPerLevel);
		}
		int timestep = ForwardDiffusion.timestepForSigma(new NoiseSchedule(this.denoiser.schedulerConfig(0.0)),
				level * unitsPerLevel);
		return new EditPlan.Denoise(noisy, timestep, posteriorMean, level, estimated);
	}

	private static void refuseOtherModesParameters(EditMode mode, EditParameters parameters) {
		Map<String, Object> modeParameters = new LinkedHashMap<>();
		modeParameters.put("jumpLength", parameters.jumpLength());
		modeParameters.put("resampleCount", parameters.resampleCount());
		modeParameters.put("noiseLevel", parameters.noiseLevel());
		modeParameters.put("method", parameters.method());
		modeParameters.put("strength", parameters.strength());
		modeParameters.forEach((name, value) -> {
			if (value != null && !mode.owns(name)) {
				throw new InvalidParameterException(name, "'" + name + "' does not apply to /" + mode.path());
			}
		});
	}

	/**
	 * @return the shared parameters with the mode's defaults where the request has none
	 */
	static GenerateRequest withDefaults(EditMode mode, EditPlan plan, EditParameters parameters) {
		GenerateRequest request = parameters.generation();
		boolean posteriorMean = plan instanceof EditPlan.Denoise denoise && denoise.posteriorMean();
		return new GenerateRequest(request.model(), request.label(), request.count(),
				posteriorMean ? Integer.valueOf(1) : (request.steps() != null) ? request.steps() : mode.defaultSteps(),
				(request.sampler() != null) ? request.sampler() : mode.defaultSampler(),
				(request.eta() != null) ? request.eta() : mode.defaultEta(),
				(request.guidanceScale() != null) ? request.guidanceScale() : mode.defaultGuidanceScale(),
				request.seed(), request.previewEvery());
	}

	/**
	 * @return model calls per image
	 */
	static int modelCalls(EditPlan plan, int steps) {
		if (plan instanceof EditPlan.Inpaint inpaint) {
			return RePaint.denoisingSteps(RePaint.schedule(steps, inpaint.jumpLength(), inpaint.resampleCount()));
		}
		if (plan instanceof EditPlan.Denoise denoise) {
			return denoise.posteriorMean() ? 1 : Math.min(steps, denoise.timestep() + 1);
		}
		if (plan instanceof EditPlan.ImageToImage edit) {
			// SDEdit runs only the tail of the grid: the work limit counts what runs.
			return SdEdit.runLength(steps, edit.strength());
		}
		return steps;
	}

	private static String normalised(String name) {
		return name.trim().toLowerCase(Locale.ROOT);
	}

}
