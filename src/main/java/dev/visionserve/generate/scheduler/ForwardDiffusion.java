package dev.visionserve.generate.scheduler;

/**
 * The forward (noising) process and its inverse in expectation, the pieces the image
 * editing loops put around a sampler: SDEdit's and RePaint's noised originals, RePaint's
 * step back to a noisier timestep, and Tweedie's one-step clean estimate. All in the
 * variance-preserving space x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε. Stateless.
 */
public final class ForwardDiffusion {

	private ForwardDiffusion() {
	}

	/**
	 * Samples q(x_t | x₀) (Ho et al. 2020, eq. 4): x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε.
	 * @param x0 the clean sample
	 * @param alphaBar ᾱ_t
	 * @param noise where ε comes from, one draw per element in order
	 * @return x_t
	 */
	public static float[] noise(float[] x0, double alphaBar, NoiseSource noise) {
		double signal = Math.sqrt(alphaBar);
		double sigma = Math.sqrt(1 - alphaBar);
		float[] xt = new float[x0.length];
		for (int i = 0; i < xt.length; i++) {
			xt[i] = (float) (signal * x0[i] + sigma * noise.nextGaussian());
		}
		return xt;
	}

	/**
	 * Samples q(x_t | x_s) for a noisier t than s, the step back RePaint takes to
	 * resample (Lugmayr et al. 2022, sec. 4.2, with a step of any length): x_t =
	 * √(ᾱ_t/ᾱ_s)·x_s + √(1−ᾱ_t/ᾱ_s)·ε.
	 * @param xs the sample at s
	 * @param alphaBarS ᾱ_s (1 for the clean end)
	 * @param alphaBarT ᾱ_t, at most ᾱ_s
	 * @param noise where ε comes from
	 * @return x_t
	 */
	public static float[] renoise(float[] xs, double alphaBarS, double alphaBarT, NoiseSource noise) {
		if (alphaBarT > alphaBarS) {
			throw new IllegalArgumentException(
					"Renoising goes to a noisier timestep: ᾱ_t " + alphaBarT + " is above ᾱ_s " + alphaBarS);
		}
		return noise(xs, alphaBarT / alphaBarS, noise);
	}

	/**
	 * Tweedie's formula for the posterior mean E[x₀ | x_t] with an ε-predicting model (Ho
	 * et al. 2020, eq. 15): x̂₀ = (x_t − √(1−ᾱ_t)·ε̂) / √ᾱ_t.
	 * @param xt the noisy sample
	 * @param epsilon the model's ε̂ for it
	 * @param alphaBar ᾱ_t
	 * @return x̂₀
	 */
	public static float[] tweedie(float[] xt, float[] epsilon, double alphaBar) {
		if (xt.length != epsilon.length) {
			throw new IllegalArgumentException("x_t has " + xt.length + " elements, ε " + epsilon.length);
		}
		double signal = Math.sqrt(alphaBar);
		double sigma = Math.sqrt(1 - alphaBar);
		float[] x0 = new float[xt.length];
		for (int i = 0; i < x0.length; i++) {
			x0[i] = (float) ((xt[i] - sigma * epsilon[i]) / signal);
		}
		return x0;
	}

	/**
	 * The training timestep whose noise matches an image with additive Gaussian noise of
	 * standard deviation σ (in the model's pixel units): y = x₀ + σ·n is x_t/√ᾱ_t when
	 * (1−ᾱ_t)/ᾱ_t = σ², so the denoiser sees √ᾱ_t·y at that t.
	 * @param schedule the model's training schedule
	 * @param sigma the noise's standard deviation, in model units
	 * @return the t whose √((1−ᾱ_t)/ᾱ_t) is nearest σ
	 */
	public static int timestepForSigma(NoiseSchedule schedule, double sigma) {
		if (!(sigma >= 0) || Double.isInfinite(sigma)) {
			throw new IllegalArgumentException("σ must be a finite number ≥ 0, was " + sigma);
		}
		int best = 0;
		double bestDistance = Double.POSITIVE_INFINITY;
		for (int t = 0; t < schedule.numTrainTimesteps(); t++) {
			double alphaBar = schedule.alphaBar(t);
			double distance = Math.abs(Math.sqrt((1 - alphaBar) / alphaBar) - sigma);
			if (distance < bestDistance) {
				best = t;
				bestDistance = distance;
			}
		}
		return best;
	}

}
