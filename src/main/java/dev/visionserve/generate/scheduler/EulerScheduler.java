package dev.visionserve.generate.scheduler;

/**
 * The Euler method on the probability-flow ODE in σ-space (Karras et al. 2022, alg. 2
 * without churn; diffusers' EulerDiscreteScheduler): the sample is x = x₀ + σ·ε with σ_t
 * = √((1−ᾱ_t)/ᾱ_t) at the run's timesteps and σ = 0 after the last. Deterministic: it
 * never draws noise, and it does not clip x̂₀. Not thread-safe; one instance per
 * generation.
 */
public final class EulerScheduler extends AbstractScheduler {

	/** σ at each timestep of the run, then 0. */
	private double[] sigmas;

	public EulerScheduler(SchedulerConfig config) {
		super(config);
	}

	@Override
	void useRun(int[] run) {
		super.useRun(run);
		this.sigmas = new double[run.length + 1];
		for (int i = 0; i < run.length; i++) {
			double alphaBar = this.schedule.alphaBar(run[i]);
			this.sigmas[i] = Math.sqrt((1 - alphaBar) / alphaBar);
		}
	}

	/**
	 * diffusers' rule: σ_max for LINSPACE and TRAILING, √(σ_max²+1) for LEADING. The
	 * marginal of x at σ_max has standard deviation √(σ_max²+1) for unit-variance data;
	 * the two differ by less than 1/(2σ_max²) relatively.
	 */
	@Override
	public double initNoiseSigma() {
		double sigmaMax = sigmas()[0];
		if (this.config.timestepSpacing() == TimestepSpacing.LEADING) {
			return Math.sqrt(sigmaMax * sigmaMax + 1);
		}
		return sigmaMax;
	}

	@Override
	public float[] addNoise(float[] x0, int timestep, NoiseSource noise) {
		double alphaBar = this.schedule.alphaBar(timestep);
		double sigma = Math.sqrt((1 - alphaBar) / alphaBar);
		float[] noised = new float[x0.length];
		for (int i = 0; i < noised.length; i++) {
			noised[i] = (float) (x0[i] + sigma * noise.nextGaussian());
		}
		return noised;
	}

	@Override
	public float[] scaleModelInput(float[] sample, int timestep) {
		double sigma = sigmas()[indexOf(timestep)];
		// x/√(σ²+1) = √ᾱ·x₀ + √(1−ᾱ)·ε, the input the model was trained on
		double scale = 1 / Math.sqrt(sigma * sigma + 1);
		float[] scaled = new float[sample.length];
		for (int i = 0; i < scaled.length; i++) {
			scaled[i] = (float) (sample[i] * scale);
		}
		return scaled;
	}

	@Override
	public StepResult step(float[] modelOutput, int timestep, float[] sample, NoiseSource noise) {
		requireSameLength(modelOutput, sample);
		int index = indexOf(timestep);
		double sigma = sigmas()[index];
		double sigmaNext = this.sigmas[index + 1];
		double vScale = -sigma / Math.sqrt(sigma * sigma + 1);
		double sampleScale = 1 / (sigma * sigma + 1);
		float[] prev = new float[sample.length];
		float[] x0Hats = new float[sample.length];
		for (int i = 0; i < prev.length; i++) {
			double x0Hat = switch (this.config.predictionType()) {
				case EPSILON -> sample[i] - sigma * modelOutput[i];
				case V_PREDICTION -> modelOutput[i] * vScale + sample[i] * sampleScale;
				case SAMPLE -> modelOutput[i];
			};
			// Karras et al. 2022 alg. 2, l. 7-8: d = (x − x̂₀)/σ, x' = x + (σ' − σ)·d
			double derivative = (sample[i] - x0Hat) / sigma;
			prev[i] = (float) (sample[i] + derivative * (sigmaNext - sigma));
			x0Hats[i] = (float) x0Hat;
		}
		return new StepResult(prev, x0Hats);
	}

	private double[] sigmas() {
		if (this.sigmas == null) {
			throw new IllegalStateException("Call setTimesteps before using the scheduler");
		}
		return this.sigmas;
	}

}
