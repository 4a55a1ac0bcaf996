package dev.visionserve.generate.scheduler;

/**
 * Turns a model's output at ᾱ into the clean-sample estimate x̂₀ and the noise ε, for the
 * samplers that work in the variance-preserving space x_t = √ᾱ·x₀ + √(1−ᾱ)·ε. Stateless.
 */
final class Predictions {

	private Predictions() {
	}

	/**
	 * @return x̂₀, clipped to ±clipSampleRange when the configuration asks
	 */
	static double[] x0Hat(SchedulerConfig config, float[] modelOutput, float[] sample, double alphaBar) {
		AbstractScheduler.requireSameLength(modelOutput, sample);
		double sqrtAlphaBar = Math.sqrt(alphaBar);
		double sqrtOneMinusAlphaBar = Math.sqrt(1 - alphaBar);
		double range = config.clipSampleRange();
		double[] x0Hat = new double[sample.length];
		for (int i = 0; i < x0Hat.length; i++) {
			double x0 = switch (config.predictionType()) {
				case EPSILON -> (sample[i] - sqrtOneMinusAlphaBar * modelOutput[i]) / sqrtAlphaBar;
				case V_PREDICTION -> sqrtAlphaBar * sample[i] - sqrtOneMinusAlphaBar * modelOutput[i];
				case SAMPLE -> modelOutput[i];
			};
			x0Hat[i] = config.clipSample() ? Math.max(-range, Math.min(range, x0)) : x0;
		}
		return x0Hat;
	}

	/**
	 * ε as the model gave it, or, when x̂₀ came from the model or was clipped, the ε that
	 * x̂₀ implies, so that x_t = √ᾱ·x̂₀ + √(1−ᾱ)·ε holds again.
	 * @return ε
	 */
	static double[] epsilon(SchedulerConfig config, float[] modelOutput, float[] sample, double alphaBar,
			double[] x0Hat) {
		double sqrtAlphaBar = Math.sqrt(alphaBar);
		double sqrtOneMinusAlphaBar = Math.sqrt(1 - alphaBar);
		PredictionType type = config.predictionType();
		double[] epsilon = new double[sample.length];
		for (int i = 0; i < epsilon.length; i++) {
			if (config.clipSample() || type == PredictionType.SAMPLE) {
				epsilon[i] = (sample[i] - sqrtAlphaBar * x0Hat[i]) / sqrtOneMinusAlphaBar;
			}
			else if (type == PredictionType.V_PREDICTION) {
				epsilon[i] = sqrtAlphaBar * modelOutput[i] + sqrtOneMinusAlphaBar * sample[i];
			}
			else {
				epsilon[i] = modelOutput[i];
			}
		}
		return epsilon;
	}

	static float[] toFloat(double[] values) {
		float[] floats = new float[values.length];
		for (int i = 0; i < floats.length; i++) {
			floats[i] = (float) values[i];
		}
		return floats;
	}

}
