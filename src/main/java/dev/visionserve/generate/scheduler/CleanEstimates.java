package dev.visionserve.generate.scheduler;

/**
 * Moves between a model's output and the clean-sample estimate x̂₀ it implies, so that
 * the editing loops can impose a constraint on x̂₀ (DDNM's projection, Wang et al. 2023,
 * alg. 1) and hand the sampler the output that implies the constrained x̂₀: every sampler
 * then takes its usual step towards it, unchanged. The input is the one the model saw, in
 * the variance-preserving space x_t = √ᾱ·x₀ + √(1−ᾱ)·ε (see
 * {@link Scheduler#scaleModelInput}). Stateless.
 */
public final class CleanEstimates {

	private CleanEstimates() {
	}

	/**
	 * @return x̂₀ for the model's output at ᾱ, clipped when the configuration asks
	 */
	public static float[] of(SchedulerConfig config, float[] modelOutput, float[] modelInput, double alphaBar) {
		return Predictions.toFloat(Predictions.x0Hat(config, modelOutput, modelInput, alphaBar));
	}

	/**
	 * @return the output, in the model's prediction type, whose x̂₀ for this input is
	 * {@code x0}
	 */
	public static float[] outputFor(SchedulerConfig config, float[] x0, float[] modelInput, double alphaBar) {
		AbstractScheduler.requireSameLength(x0, modelInput);
		double sqrtAlphaBar = Math.sqrt(alphaBar);
		double sqrtOneMinusAlphaBar = Math.sqrt(1 - alphaBar);
		float[] output = new float[x0.length];
		for (int i = 0; i < output.length; i++) {
			double epsilon = (modelInput[i] - sqrtAlphaBar * x0[i]) / sqrtOneMinusAlphaBar;
			output[i] = (float) switch (config.predictionType()) {
				case EPSILON -> epsilon;
				case V_PREDICTION -> sqrtAlphaBar * epsilon - sqrtOneMinusAlphaBar * x0[i];
				case SAMPLE -> x0[i];
			};
		}
		return output;
	}

}
