package dev.visionserve.generate.scheduler;

/**
 * The noise levels of Karras et al. 2022 (eq. 5, ρ = 7) between the σ_max and σ_min of a
 * model's discrete schedule, with σ_t = √((1−ᾱ_t)/ᾱ_t), and the training timestep the
 * model is called at for each: the fractional t at which log σ falls between two training
 * timesteps, rounded half to even (diffusers' {@code _sigma_to_t} and numpy's
 * {@code round}). Stateless.
 */
final class KarrasSigmas {

	/** Karras et al. 2022, §3: ρ = 7 balances the error between high and low σ. */
	static final double RHO = 7.0;

	private KarrasSigmas() {
	}

	/**
	 * @param schedule the model's discrete schedule
	 * @param count n ≥ 1
	 * @return n noise levels, σ_max first and (for n ≥ 2) σ_min last
	 */
	static double[] sigmas(NoiseSchedule schedule, int count) {
		double sigmaMax = sigma(schedule, schedule.numTrainTimesteps() - 1);
		double sigmaMin = sigma(schedule, 0);
		double maxInvRho = Math.pow(sigmaMax, 1 / RHO);
		double minInvRho = Math.pow(sigmaMin, 1 / RHO);
		double[] sigmas = new double[count];
		for (int i = 0; i < count; i++) {
			double ramp = (count == 1) ? 0 : i / (double) (count - 1);
			// Karras et al. 2022 eq. 5: σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} −
			// σ_max^{1/ρ}))^ρ
			sigmas[i] = Math.pow(maxInvRho + ramp * (minInvRho - maxInvRho), RHO);
		}
		return sigmas;
	}

	/**
	 * @return for each σ, the nearest training timestep by log-σ interpolation; several σ
	 * may share one when n is large (from n = 79 for the DDPM paper's linear schedule)
	 */
	static int[] timesteps(NoiseSchedule schedule, double[] sigmas) {
		int trainSteps = schedule.numTrainTimesteps();
		double[] logSigmas = new double[trainSteps];
		for (int t = 0; t < trainSteps; t++) {
			logSigmas[t] = Math.log(sigma(schedule, t));
		}
		int[] timesteps = new int[sigmas.length];
		for (int i = 0; i < sigmas.length; i++) {
			timesteps[i] = (int) Math.rint(fractionalTimestep(logSigmas, Math.log(sigmas[i])));
		}
		return timesteps;
	}

	static double fractionalTimestep(double[] logSigmas, double logSigma) {
		if (logSigmas.length == 1) {
			return 0;
		}
		// the last t with log σ_t ≤ log σ (σ_t grows with t), kept below T−1 so that
		// t+1 exists
		int low = 0;
		while (low + 1 < logSigmas.length - 1 && logSigmas[low + 1] <= logSigma) {
			low++;
		}
		double weight = (logSigmas[low] - logSigma) / (logSigmas[low] - logSigmas[low + 1]);
		return low + Math.max(0, Math.min(1, weight));
	}

	static double sigma(NoiseSchedule schedule, int t) {
		double alphaBar = schedule.alphaBar(t);
		return Math.sqrt((1 - alphaBar) / alphaBar);
	}

}
