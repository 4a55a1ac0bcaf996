package dev.visionserve.generate;

import java.util.List;

import dev.visionserve.generate.scheduler.BetaSchedule;
import dev.visionserve.generate.scheduler.PredictionType;
import dev.visionserve.generate.scheduler.SchedulerConfig;
import dev.visionserve.generate.scheduler.TimestepSpacing;
import dev.visionserve.runtime.LoadedModel;
import dev.visionserve.runtime.ModelConfig.Diffusion;
import dev.visionserve.runtime.ModelLoadException;
import dev.visionserve.runtime.TensorSpec;

/**
 * A loaded denoiser as the generation loop sees it: its tensors by role and its diffusion
 * setup. Immutable.
 *
 * @param model the loaded model
 * @param sample the noisy image input, float32 {@code [batch, channels, height, width]}
 * @param timestep the timestep input, int64 or float32 {@code [batch]}
 * @param classLabel the class input, int64 {@code [batch]}, or {@code null} for an
 * unconditional model
 * @param prediction the output, shaped like {@code sample}
 * @param diffusion the diffusion section of model.yaml
 * @param labels the class labels (may be empty)
 */
record Denoiser(LoadedModel model, TensorSpec sample, TensorSpec timestep, TensorSpec classLabel, TensorSpec prediction,
		Diffusion diffusion, List<String> labels) {

	static final String SAMPLE = "sample";

	static final String TIMESTEP = "timestep";

	static final String CLASS_LABEL = "classLabel";

	static final String PREDICTION = "prediction";

	/**
	 * Resolves the roles of a loaded model; used at load time (by
	 * {@link DenoiserSupport}) and per request.
	 */
	static Denoiser of(LoadedModel model) throws ModelLoadException {
		Diffusion diffusion = model.config().diffusion();
		if (diffusion == null) {
			throw new ModelLoadException("a denoiser needs a 'diffusion' section in model.yaml");
		}
		TensorSpec sample = model.input(SAMPLE);
		TensorSpec timestep = model.input(TIMESTEP);
		TensorSpec classLabel = (model.inputs().size() > 2 || model.config().inputs().containsKey(CLASS_LABEL))
				? model.input(CLASS_LABEL) : null;
		return new Denoiser(model, sample, timestep, classLabel, model.output(PREDICTION), diffusion, model.labels());
	}

	int channels() {
		return (int) this.sample.shape()[1];
	}

	int height() {
		return (int) this.sample.shape()[2];
	}

	int width() {
		return (int) this.sample.shape()[3];
	}

	/**
	 * @return elements of one image
	 */
	int imageSize() {
		return channels() * height() * width();
	}

	boolean isConditional() {
		return this.classLabel != null && this.diffusion.numClasses() > 0;
	}

	/**
	 * @return the scheduler configuration of this model, with the given DDIM η
	 */
	SchedulerConfig schedulerConfig(double eta) {
		return new SchedulerConfig(this.diffusion.numTrainTimesteps(),
				BetaSchedule.parse(this.diffusion.betaSchedule()), this.diffusion.betaStart(), this.diffusion.betaEnd(),
				PredictionType.parse(this.diffusion.predictionType()),
				TimestepSpacing.parse(this.diffusion.timestepSpacing()), this.diffusion.stepsOffset(),
				this.diffusion.clipSample(), this.diffusion.clipSampleRange(), eta);
	}

	/**
	 * @return the label of a class, or its index when the model has no labels
	 */
	String labelOf(int classIndex) {
		return (classIndex < this.labels.size()) ? this.labels.get(classIndex) : Integer.toString(classIndex);
	}

}
