package dev.visionserve.generate.scheduler;

/**
 * One sampler of the reverse diffusion process. A generation calls
 * {@link #setTimesteps(int)} once, draws {@code initNoiseSigma() · N(0, I)}, then for
 * each timestep of {@link #timesteps()} in order feeds the model
 * {@link #scaleModelInput(float[], int)} and hands its output to
 * {@link #step(float[], int, float[], NoiseSource)}.
 *
 * <p>
 * Create a new instance per generation (see {@link Schedulers#create}): multistep solvers
 * keep state between steps. Not thread-safe; used by one job.
 */
public interface Scheduler {

	/**
	 * Chooses the timesteps of a run, following the configured {@link TimestepSpacing},
	 * and forgets any earlier run.
	 * @param numInferenceSteps from 1 to numTrainTimesteps
	 * @throws IllegalArgumentException when out of range, or when LEADING's stepsOffset
	 * would push the first timestep past T−1
	 */
	void setTimesteps(int numInferenceSteps);

	/**
	 * Uses the given timesteps for a run instead of a spacing's, as diffusers'
	 * {@code set_timesteps(timesteps=…)} does: the image-editing loops start part way
	 * down (SDEdit, denoising at a noise level) or visit the grid in their own order. The
	 * Karras samplers accept only the end of the run {@link #setTimesteps(int)} chose
	 * (their noise levels belong to that grid).
	 * @param run distinct training timesteps, descending
	 * @throws IllegalArgumentException when empty, out of range or not descending, or,
	 * for a Karras sampler, not the end of its grid
	 */
	void setTimesteps(int[] run);

	/**
	 * The sample this sampler expects at {@code timestep} for a clean {@code x0}, as
	 * diffusers' {@code add_noise}: √ᾱ·x₀ + √(1−ᾱ)·ε in the variance-preserving space, x₀
	 * + σ·ε in σ-space (euler). With a source that draws zeros, it scales an image that
	 * already holds its noise.
	 * @param x0 the clean sample
	 * @param timestep a training timestep
	 * @param noise where ε comes from, one draw per element in order
	 * @return the noised sample
	 */
	float[] addNoise(float[] x0, int timestep, NoiseSource noise);

	/**
	 * @return the model's integer timesteps for this run, descending (a copy); a Karras
	 * sampler of many steps may call the model twice at one rounded timestep (from 79
	 * steps on a linear T = 1000 schedule), so ask by position, not by value
	 * @throws IllegalStateException before {@link #setTimesteps(int)}
	 */
	int[] timesteps();

	/**
	 * @return the standard deviation of the initial noise: 1, or σ-space's larger value
	 * for euler
	 */
	double initNoiseSigma();

	/**
	 * @param sample the current x
	 * @param timestep the current timestep
	 * @return what the model must see: {@code sample} itself, or x/√(σ²+1) for euler
	 */
	float[] scaleModelInput(float[] sample, int timestep);

	/**
	 * Moves the sample from {@code timestep} to the next timestep of the run (to the
	 * clean sample after the last).
	 * @param modelOutput the model's output for {@code scaleModelInput(sample, timestep)}
	 * @param timestep the current timestep, one of {@link #timesteps()}
	 * @param sample the current x, as long as {@code modelOutput}
	 * @param noise the generation's noise, drawn from only by stochastic samplers
	 * @return the next sample and the step's x̂₀
	 */
	StepResult step(float[] modelOutput, int timestep, float[] sample, NoiseSource noise);

}
