package dev.visionserve.generate.scheduler;

/**
 * Models whose output is exactly right for a known data distribution, and the sampling
 * loop an engine runs with them. The ᾱ_t they use is computed here from the DDPM paper's
 * linear schedule (β from 1e-4 to 0.02 over T = 1000), independently of
 * {@link NoiseSchedule}.
 */
final class ExactDenoisers {

	static final int T = 1000;

	private static final double[] ALPHA_BAR = new double[T];

	static {
		double product = 1;
		for (int t = 0; t < T; t++) {
			product *= 1 - (1e-4 + (0.02 - 1e-4) * t / (T - 1));
			ALPHA_BAR[t] = product;
		}
	}

	private ExactDenoisers() {
	}

	static SchedulerConfig config(PredictionType type, TimestepSpacing spacing, double eta) {
		return new SchedulerConfig(T, BetaSchedule.LINEAR, 1e-4, 0.02, type, spacing, 0, false, 1.0, eta);
	}

	static double alphaBar(int t) {
		return ALPHA_BAR[t];
	}

	/** E[x₀ | x_t] for element {@code i} of the sample. */
	@FunctionalInterface
	interface Posterior {

		double mean(int i, double xt, double alphaBar);

	}

	/** Data that is always the point {@code x0}: E[x₀ | x_t] = x₀. */
	static Posterior point(float[] x0) {
		return (i, xt, alphaBar) -> x0[i];
	}

	/**
	 * Data with independent N(μ, s²) elements; then x_t ~ N(√ᾱμ, ᾱs² + 1 − ᾱ) and E[x₀ |
	 * x_t] = μ + √ᾱ·s²/(ᾱs² + 1 − ᾱ)·(x_t − √ᾱμ).
	 */
	static Posterior gaussian(double mu, double s) {
		return (i, xt, alphaBar) -> mu
				+ Math.sqrt(alphaBar) * s * s / (alphaBar * s * s + 1 - alphaBar) * (xt - Math.sqrt(alphaBar) * mu);
	}

	/**
	 * The exact model: receives what the scheduler feeds it, x_t = √ᾱ·x₀ + √(1−ᾱ)·ε
	 * (euler's scaled input is exactly this), and returns ε, v or x₀.
	 */
	static float[] model(PredictionType type, Posterior posterior, float[] modelInput, int t) {
		return model(type, posterior, modelInput, alphaBar(t));
	}

	/** The exact model at a noise level ᾱ that need not be a training timestep's. */
	static float[] model(PredictionType type, Posterior posterior, float[] modelInput, double alphaBar) {
		float[] output = new float[modelInput.length];
		for (int i = 0; i < output.length; i++) {
			double xt = modelInput[i];
			double x0 = posterior.mean(i, xt, alphaBar);
			double epsilon = (xt - Math.sqrt(alphaBar) * x0) / Math.sqrt(1 - alphaBar);
			output[i] = (float) switch (type) {
				case EPSILON -> epsilon;
				case V_PREDICTION -> Math.sqrt(alphaBar) * epsilon - Math.sqrt(1 - alphaBar) * x0;
				case SAMPLE -> x0;
			};
		}
		return output;
	}

	/** One generation, as the engine runs it. */
	static float[] generate(Scheduler scheduler, PredictionType type, Posterior posterior, int steps, int length,
			long seed) {
		NoiseSource noise = new SeededNoise(seed);
		scheduler.setTimesteps(steps);
		float[] x = noise.gaussian(length);
		double initSigma = scheduler.initNoiseSigma();
		for (int i = 0; i < x.length; i++) {
			x[i] = (float) (x[i] * initSigma);
		}
		for (int t : scheduler.timesteps()) {
			float[] output = model(type, posterior, scheduler.scaleModelInput(x, t), t);
			x = scheduler.step(output, t, x, noise).prevSample();
		}
		return x;
	}

	/**
	 * One generation whose model is told the noise level of each call, which the timestep
	 * the engine passes only rounds for the Karras samplers: so that the sampler's own
	 * error is measured, not the rounding's.
	 */
	static float[] generateAtLevels(Scheduler scheduler, PredictionType type, Posterior posterior, double[] alphaBars,
			int length, long seed) {
		NoiseSource noise = new SeededNoise(seed);
		scheduler.setTimesteps(alphaBars.length);
		float[] x = noise.gaussian(length);
		int call = 0;
		for (int t : scheduler.timesteps()) {
			float[] output = model(type, posterior, scheduler.scaleModelInput(x, t), alphaBars[call++]);
			x = scheduler.step(output, t, x, noise).prevSample();
		}
		return x;
	}

	/**
	 * Karras et al. 2022 eq. 5 (ρ = 7) between this schedule's σ(T−1) and σ(0), σ =
	 * √((1−ᾱ)/ᾱ), as ᾱ = 1/(1+σ²).
	 */
	static double[] karrasAlphaBars(int n) {
		double max = Math.pow((1 - ALPHA_BAR[T - 1]) / ALPHA_BAR[T - 1], 0.5 / 7);
		double min = Math.pow((1 - ALPHA_BAR[0]) / ALPHA_BAR[0], 0.5 / 7);
		double[] alphaBars = new double[n];
		for (int i = 0; i < n; i++) {
			double sigma = Math.pow(max + ((n == 1) ? 0 : i / (n - 1.0)) * (min - max), 7);
			alphaBars[i] = 1 / (1 + sigma * sigma);
		}
		return alphaBars;
	}

}
