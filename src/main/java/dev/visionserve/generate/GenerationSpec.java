package dev.visionserve.generate;

import java.time.Instant;

/**
 * A validated generation request, resolved against its model. Immutable.
 *
 * @param denoiser the model
 * @param classIndex the class, or {@code null} for unconditional generation
 * @param count images
 * @param steps denoising steps
 * @param sampler the scheduler name
 * @param eta DDIM η
 * @param guidanceScale classifier-free guidance scale; guidance applies only when above 1
 * and conditional
 * @param seed the first image's seed
 * @param previewEvery preview interval in steps, or 0 for none
 * @param deadline when the job must have finished
 * @param plan synthesis, or the editing loop around the sampler
 */
record GenerationSpec(Denoiser denoiser, Integer classIndex, int count, int steps, String sampler, double eta,
		double guidanceScale, long seed, int previewEvery, Instant deadline, EditPlan plan) {

	boolean guided() {
		return this.classIndex != null && this.guidanceScale > 1.0;
	}

	/**
	 * @return denoiser rows per tick: one per image, two with guidance (conditional and
	 * unconditional)
	 */
	int rowsPerTick() {
		return this.count * (guided() ? 2 : 1);
	}

}
