package dev.visionserve.generate.scheduler;

import java.util.Arrays;

/**
 * DPM-Solver++(2M) of Lu et al. 2022 (alg. 2), in data-prediction form on λ = log(α/σ)
 * with α = √ᾱ and σ = √(1−ᾱ). The first step is first order (DPM-Solver++ 1, which is
 * DDIM with η = 0) for want of an earlier x̂₀; so is the last, which lands on σ = 0 (ᾱ =
 * 1, diffusers' final_sigmas_type "zero") where the second-order correction is undefined,
 * and which therefore returns that step's x̂₀. Deterministic.
 *
 * <p>
 * Keeps the previous step's x̂₀ and λ, so its steps must be taken in the order of
 * {@link #timesteps()}. Not thread-safe; one instance per generation.
 */
public final class DpmSolverMultistepScheduler extends AbstractScheduler {

	private int stepIndex;

	private double[] previousX0Hat;

	private double previousLambda;

	public DpmSolverMultistepScheduler(SchedulerConfig config) {
		super(config);
	}

	@Override
	void useRun(int[] run) {
		super.useRun(run);
		this.stepIndex = 0;
		this.previousX0Hat = null;
	}

	/**
	 * diffusers' DPMSolverMultistepScheduler rule: for LEADING and LINSPACE, the grid of
	 * n+1 timesteps without its last (t = 0), so the last model call is near T/n and no
	 * second-order step extrapolates across the long λ-interval into t = 0. TRAILING
	 * already ends near T/n; at n = T there is no room for n+1 timesteps and every
	 * spacing visits them all anyway.
	 */
	@Override
	int[] chooseTimesteps(int numInferenceSteps) {
		TimestepSpacing spacing = this.config.timestepSpacing();
		int trainSteps = this.config.numTrainTimesteps();
		if (spacing == TimestepSpacing.TRAILING || numInferenceSteps == trainSteps) {
			return super.chooseTimesteps(numInferenceSteps);
		}
		int[] grid = spacing.timesteps(trainSteps, numInferenceSteps + 1, this.config.stepsOffset());
		return Arrays.copyOf(grid, numInferenceSteps);
	}

	@Override
	public StepResult step(float[] modelOutput, int timestep, float[] sample, NoiseSource noise) {
		int index = indexOf(timestep);
		if (index != this.stepIndex) {
			throw new IllegalStateException("dpmpp-2m must take its steps in order: expected timestep "
					+ timesteps()[this.stepIndex] + ", got " + timestep);
		}
		int prevT = prevTimestep(index);
		double alphaBarS = this.schedule.alphaBar(timestep);
		double alphaBarT = this.schedule.alphaBarPrev(prevT);
		double alphaS = Math.sqrt(alphaBarS);
		double sigmaS = Math.sqrt(1 - alphaBarS);
		double alphaT = Math.sqrt(alphaBarT);
		double sigmaT = Math.sqrt(1 - alphaBarT);
		double lambdaS = Math.log(alphaS / sigmaS);
		// +∞ on the last step (σ_t = 0): σ_t/σ_s = 0, −expm1(−h) = 1, so x_t = x̂₀
		double lambdaT = Math.log(alphaT / sigmaT);
		double h = lambdaT - lambdaS;
		double[] x0Hat = Predictions.x0Hat(this.config, modelOutput, sample, alphaBarS);
		boolean firstOrder = this.previousX0Hat == null || prevT < 0;
		// Lu et al. 2022 alg. 2: r = h_{i−1}/h_i, D = x̂₀ + (x̂₀ − x̂₀_{i−1})/(2r)
		double halfOverR = firstOrder ? 0 : 0.5 * h / (lambdaS - this.previousLambda);
		double sampleCoefficient = sigmaT / sigmaS;
		double dataCoefficient = -alphaT * Math.expm1(-h);
		float[] prev = new float[sample.length];
		for (int i = 0; i < prev.length; i++) {
			double d = firstOrder ? x0Hat[i] : x0Hat[i] + halfOverR * (x0Hat[i] - this.previousX0Hat[i]);
			// Lu et al. 2022 alg. 2: x_t = (σ_t/σ_s)·x_s − α_t·(e^{−h} − 1)·D
			prev[i] = (float) (sampleCoefficient * sample[i] + dataCoefficient * d);
		}
		this.previousX0Hat = x0Hat;
		this.previousLambda = lambdaS;
		this.stepIndex++;
		return new StepResult(prev, Predictions.toFloat(x0Hat));
	}

}
