package dev.visionserve.generate.scheduler;

/**
 * What one denoising step produced. The arrays belong to the caller; the scheduler keeps
 * no reference it would later change.
 *
 * @param prevSample x at the next (smaller) timestep, the input to the next step
 * @param predOriginalSample the step's estimate x̂₀ of the clean sample, for previews
 */
public record StepResult(float[] prevSample, float[] predOriginalSample) {

}
