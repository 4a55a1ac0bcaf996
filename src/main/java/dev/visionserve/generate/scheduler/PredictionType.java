package dev.visionserve.generate.scheduler;

/**
 * What the denoising model outputs, as diffusers names it in {@code prediction_type}.
 */
public enum PredictionType {

	/** The noise ε that was added: x_t = √ᾱ·x₀ + √(1−ᾱ)·ε. */
	EPSILON,

	/** The velocity v = √ᾱ·ε − √(1−ᾱ)·x₀ (Salimans &amp; Ho 2022). */
	V_PREDICTION,

	/** The clean sample x₀ itself. */
	SAMPLE;

	/**
	 * @param text {@code epsilon}, {@code v_prediction} or {@code sample};
	 * case-insensitive, {@code -} or {@code _}
	 * @return the prediction type
	 * @throws IllegalArgumentException listing the valid values
	 */
	public static PredictionType parse(String text) {
		return EnumNames.parse(PredictionType.class, text, "prediction type");
	}

}
