package dev.visionserve.generate;

import java.util.Arrays;

import dev.visionserve.generate.scheduler.Schedulers;
import dev.visionserve.runtime.LoadedModel;
import dev.visionserve.runtime.ModelConfig.Diffusion;
import dev.visionserve.runtime.ModelKindSupport;
import dev.visionserve.runtime.ModelLoadException;
import dev.visionserve.runtime.TensorSpec;
import dev.visionserve.runtime.TensorSpec.ElementType;

/**
 * Checks at load time that a {@code kind: denoiser} model takes a float32 NCHW sample
 * matching its diffusion section, a per-row timestep and (when conditional) an int64
 * class label, returns a prediction shaped like the sample, and names a schedule and
 * sampler the schedulers know. Stateless.
 */
public final class DenoiserSupport implements ModelKindSupport {

	public static final String KIND = "denoiser";

	@Override
	public String kind() {
		return KIND;
	}

	@Override
	public void validate(LoadedModel model) throws ModelLoadException {
		Denoiser denoiser = Denoiser.of(model);
		Diffusion diffusion = denoiser.diffusion();
		TensorSpec sample = denoiser.sample();
		long[] shape = sample.shape();
		if (sample.type() != ElementType.FLOAT32 || shape.length != 4) {
			throw new ModelLoadException("a denoiser's sample input must be float32 [batch, channels, height, width]; "
					+ "this model's is " + sample);
		}
		requireDimension("channels", diffusion.channels(), shape[1], sample);
		requireDimension("height", diffusion.height(), shape[2], sample);
		requireDimension("width", diffusion.width(), shape[3], sample);
		requirePerRow(denoiser.timestep(), "timestep");
		if (denoiser.classLabel() != null) {
			requirePerRow(denoiser.classLabel(), "class label");
			if (denoiser.classLabel().type() != ElementType.INT64) {
				throw new ModelLoadException("the class label input must be int64; it is " + denoiser.classLabel());
			}
		}
		if (!Arrays.equals(denoiser.prediction().rowShape(), sample.rowShape())
				|| denoiser.prediction().type() != ElementType.FLOAT32) {
			throw new ModelLoadException("the prediction output " + denoiser.prediction()
					+ " must be float32 shaped like the sample " + sample);
		}
		if (!model.labels().isEmpty() && model.labels().size() != diffusion.numClasses()) {
			throw new ModelLoadException("the labels file has " + model.labels().size()
					+ " labels but diffusion.numClasses is " + diffusion.numClasses());
		}
		if (model.maxBatchSize() < 2) {
			throw new ModelLoadException(
					"a denoiser needs batching.maxBatchSize of at least 2 (guidance doubles rows)");
		}
		try {
			Schedulers.create(diffusion.defaultSampler(), denoiser.schedulerConfig(0.0))
				.setTimesteps(diffusion.defaultSteps());
		}
		catch (IllegalArgumentException ex) {
			throw new ModelLoadException("diffusion: " + ex.getMessage());
		}
	}

	private static void requireDimension(String name, Integer configured, long actual, TensorSpec sample)
			throws ModelLoadException {
		if (actual <= 0) {
			throw new ModelLoadException("the sample input " + sample + " has a dynamic " + name
					+ "; give its shape in model.yaml under inputShapes");
		}
		if (configured != null && configured != actual) {
			throw new ModelLoadException(
					"diffusion." + name + " is " + configured + " but the sample input " + sample + " has " + actual);
		}
	}

	private static void requirePerRow(TensorSpec spec, String what) throws ModelLoadException {
		if (spec.shape().length != 1 || spec.type() == ElementType.UNSUPPORTED) {
			throw new ModelLoadException("the " + what + " input must be one value per row, [batch]; it is " + spec);
		}
	}

}
