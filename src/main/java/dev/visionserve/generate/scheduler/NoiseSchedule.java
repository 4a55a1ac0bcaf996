package dev.visionserve.generate.scheduler;

import java.util.Objects;

/**
 * The forward process of a diffusion model: β_t, α_t = 1 − β_t and ᾱ_t = ∏_{s≤t} α_s for
 * t = 0 … T−1, computed as diffusers computes them but in double precision. Immutable and
 * thread-safe.
 */
public final class NoiseSchedule {

	/** diffusers' cap on the cosine schedule's β, which would reach 1 at t = T−1. */
	private static final double MAX_BETA = 0.999;

	private final double[] betas;

	private final double[] alphas;

	private final double[] alphasCumprod;

	public NoiseSchedule(SchedulerConfig config) {
		int steps = config.numTrainTimesteps();
		this.betas = switch (config.betaSchedule()) {
			case LINEAR -> linspace(config.betaStart(), config.betaEnd(), steps);
			case SCALED_LINEAR -> squared(linspace(Math.sqrt(config.betaStart()), Math.sqrt(config.betaEnd()), steps));
			case SQUAREDCOS_CAP_V2 -> cosine(steps);
		};
		this.alphas = new double[steps];
		this.alphasCumprod = new double[steps];
		double product = 1.0;
		for (int t = 0; t < steps; t++) {
			this.alphas[t] = 1.0 - this.betas[t];
			product *= this.alphas[t];
			this.alphasCumprod[t] = product;
		}
	}

	private static double[] linspace(double start, double end, int count) {
		double[] values = new double[count];
		for (int i = 0; i < count; i++) {
			values[i] = (count == 1) ? start : start + (end - start) * i / (count - 1);
		}
		return values;
	}

	private static double[] squared(double[] values) {
		for (int i = 0; i < values.length; i++) {
			values[i] *= values[i];
		}
		return values;
	}

	// Nichol & Dhariwal 2021 eq. 17 and §3.2: β_t = 1 − ᾱ(t+1)/ᾱ(t), capped
	private static double[] cosine(int steps) {
		double[] values = new double[steps];
		for (int i = 0; i < steps; i++) {
			double beta = 1.0 - cosineAlphaBar((i + 1) / (double) steps) / cosineAlphaBar(i / (double) steps);
			values[i] = Math.min(beta, MAX_BETA);
		}
		return values;
	}

	private static double cosineAlphaBar(double fraction) {
		double cos = Math.cos((fraction + 0.008) / 1.008 * Math.PI / 2);
		return cos * cos;
	}

	public int numTrainTimesteps() {
		return this.betas.length;
	}

	public double beta(int t) {
		return this.betas[Objects.checkIndex(t, this.betas.length)];
	}

	public double alphaBar(int t) {
		return this.alphasCumprod[Objects.checkIndex(t, this.alphasCumprod.length)];
	}

	/**
	 * ᾱ of the timestep a step lands on.
	 * @param prevT a training timestep, or a negative value after the last step
	 * @return ᾱ_prevT, or 1 for prevT &lt; 0 (diffusers' {@code set_alpha_to_one}: the
	 * last step lands on the clean sample)
	 */
	public double alphaBarPrev(int prevT) {
		return (prevT < 0) ? 1.0 : alphaBar(prevT);
	}

	/**
	 * @return a copy of β_0 … β_{T−1}
	 */
	public double[] betas() {
		return this.betas.clone();
	}

	/**
	 * @return a copy of α_0 … α_{T−1}
	 */
	public double[] alphas() {
		return this.alphas.clone();
	}

	/**
	 * @return a copy of ᾱ_0 … ᾱ_{T−1}
	 */
	public double[] alphasCumprod() {
		return this.alphasCumprod.clone();
	}

}
