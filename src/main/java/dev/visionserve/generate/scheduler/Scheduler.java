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
	 * @return the model's integer timesteps for this run, descending (a copy)
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
