package dev.visionserve.generate.scheduler;

/**
 * Ancestral sampling of Ho et al. 2020 with the "fixed_small" variance β̃_t. A jump
 * between two inference timesteps t → t' is treated as one step of the chain with α_t =
 * ᾱ_t/ᾱ_t' and β_t = 1 − α_t, as diffusers does. The last step adds no noise, so a run
 * ends on that step's x̂₀. Not thread-safe; one instance per generation.
 */
public final class DdpmScheduler extends AbstractScheduler {

	public DdpmScheduler(SchedulerConfig config) {
		super(config);
	}

	@Override
	public StepResult step(float[] modelOutput, int timestep, float[] sample, NoiseSource noise) {
		int prevT = prevTimestep(indexOf(timestep));
		double alphaBar = this.schedule.alphaBar(timestep);
		double alphaBarPrev = this.schedule.alphaBarPrev(prevT);
		double alpha = alphaBar / alphaBarPrev;
		double beta = 1 - alpha;
		double[] x0Hat = Predictions.x0Hat(this.config, modelOutput, sample, alphaBar);
		// Ho et al. 2020 eq. 7: μ̃ = √ᾱ'·β/(1−ᾱ)·x̂₀ + √α·(1−ᾱ')/(1−ᾱ)·x_t, ᾱ' = ᾱ_prev
		double x0Coefficient = Math.sqrt(alphaBarPrev) * beta / (1 - alphaBar);
		double sampleCoefficient = Math.sqrt(alpha) * (1 - alphaBarPrev) / (1 - alphaBar);
		// Ho et al. 2020 eq. 7: β̃_t = (1−ᾱ_{t−1})/(1−ᾱ_t)·β_t (0 when ᾱ_prev = 1)
		double sigma = Math.sqrt((1 - alphaBarPrev) / (1 - alphaBar) * beta);
		boolean addNoise = prevT >= 0;
		float[] prev = new float[sample.length];
		for (int i = 0; i < prev.length; i++) {
			double mean = x0Coefficient * x0Hat[i] + sampleCoefficient * sample[i];
			prev[i] = (float) (addNoise ? mean + sigma * noise.nextGaussian() : mean);
		}
		return new StepResult(prev, Predictions.toFloat(x0Hat));
	}

}
