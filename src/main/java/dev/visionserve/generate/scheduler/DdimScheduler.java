package dev.visionserve.generate.scheduler;

/**
 * DDIM (Song et al. 2021): deterministic for η = 0, ancestral like DDPM for η = 1, with η
 * from {@link SchedulerConfig#eta()}. Not thread-safe; one instance per generation.
 */
public final class DdimScheduler extends AbstractScheduler {

	public DdimScheduler(SchedulerConfig config) {
		super(config);
	}

	@Override
	public StepResult step(float[] modelOutput, int timestep, float[] sample, NoiseSource noise) {
		int prevT = prevTimestep(indexOf(timestep));
		double alphaBar = this.schedule.alphaBar(timestep);
		double alphaBarPrev = this.schedule.alphaBarPrev(prevT);
		double[] x0Hat = Predictions.x0Hat(this.config, modelOutput, sample, alphaBar);
		double[] epsilon = Predictions.epsilon(this.config, modelOutput, sample, alphaBar, x0Hat);
		// Song et al. 2021 eq. 16: σ_t(η) = η·√((1−ᾱ_{t−1})/(1−ᾱ_t))·√(1−ᾱ_t/ᾱ_{t−1})
		double sigma = this.config.eta() * Math.sqrt((1 - alphaBarPrev) / (1 - alphaBar))
				* Math.sqrt(1 - alphaBar / alphaBarPrev);
		// max(0, ·): rounding may push 1 − ᾱ_prev − σ² below zero on the last step.
		double directionCoefficient = Math.sqrt(Math.max(0, 1 - alphaBarPrev - sigma * sigma));
		double sqrtAlphaBarPrev = Math.sqrt(alphaBarPrev);
		boolean addNoise = sigma > 0;
		float[] prev = new float[sample.length];
		for (int i = 0; i < prev.length; i++) {
			// Song et al. 2021 eq. 12: x' = √ᾱ'·x̂₀ + √(1−ᾱ'−σ²)·ε + σ·z
			double next = sqrtAlphaBarPrev * x0Hat[i] + directionCoefficient * epsilon[i];
			prev[i] = (float) (addNoise ? next + sigma * noise.nextGaussian() : next);
		}
		return new StepResult(prev, Predictions.toFloat(x0Hat));
	}

}
