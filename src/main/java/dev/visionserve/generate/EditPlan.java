package dev.visionserve.generate;

import dev.visionserve.generate.scheduler.LinearProjection;

/**
 * What a job does around its sampler: plain synthesis, or one of the image-editing loops
 * that use the same denoiser as a prior. Images are CHW floats in the model's pixel
 * range. Immutable by convention (the arrays are never written).
 */
sealed interface EditPlan {

	/** The mode's name, as in the endpoint and the metrics' {@code mode} tag. */
	String mode();

	/** Synthesis from pure noise ({@code POST /generate}). */
	record Synthesis() implements EditPlan {

		@Override
		public String mode() {
			return "generate";
		}

	}

	/**
	 * RePaint (Lugmayr et al. 2022).
	 *
	 * @param known the image; its pixels where {@code keep} is true come back unchanged
	 * @param keep true where the mask is black
	 * @param jumpLength RePaint's j
	 * @param resampleCount RePaint's r
	 */
	record Inpaint(float[] known, boolean[] keep, int jumpLength, int resampleCount) implements EditPlan {

		@Override
		public String mode() {
			return EditMode.INPAINT.path();
		}

	}

	/**
	 * DDNM's null-space projection (Wang et al. 2023) at every step.
	 *
	 * @param lowResolution the input, {@code factor} times smaller than the model's size
	 * @param projection the box downsampling and its pseudo-inverse
	 */
	record SuperResolution(float[] lowResolution, LinearProjection projection) implements EditPlan {

		@Override
		public String mode() {
			return EditMode.SUPER_RESOLUTION.path();
		}

	}

	/**
	 * The reverse process from the timestep whose noise matches the image's.
	 *
	 * @param noisy the image
	 * @param timestep the training timestep of its noise level
	 * @param posteriorMean one step to Tweedie's estimate, else the sampler's steps
	 * @param noiseLevel the noise's standard deviation on the 0–255 scale
	 * @param estimated whether the level was estimated rather than given
	 */
	record Denoise(float[] noisy, int timestep, boolean posteriorMean, double noiseLevel,
			boolean estimated) implements EditPlan {

		@Override
		public String mode() {
			return EditMode.DENOISE.path();
		}

	}

	/**
	 * SDEdit (Meng et al. 2022).
	 *
	 * @param input the image
	 * @param strength 0 (the input) to 1 (from pure noise)
	 */
	record ImageToImage(float[] input, double strength) implements EditPlan {

		@Override
		public String mode() {
			return EditMode.IMG2IMG.path();
		}

	}

}
