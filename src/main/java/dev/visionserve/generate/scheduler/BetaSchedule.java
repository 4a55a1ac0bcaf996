package dev.visionserve.generate.scheduler;

/**
 * How the forward-process variances β_t grow over the training timesteps, as diffusers
 * names them in a scheduler's {@code beta_schedule}.
 */
public enum BetaSchedule {

	/** β_t evenly spaced from betaStart to betaEnd (Ho et al. 2020). */
	LINEAR,

	/** √β_t evenly spaced from √betaStart to √betaEnd (Stable Diffusion). */
	SCALED_LINEAR,

	/**
	 * The cosine schedule of Nichol &amp; Dhariwal 2021, β_t capped at 0.999; ignores
	 * betaStart and betaEnd.
	 */
	SQUAREDCOS_CAP_V2;

	/**
	 * @param text {@code linear}, {@code scaled_linear} or {@code squaredcos_cap_v2};
	 * case-insensitive, {@code -} or {@code _}
	 * @return the schedule
	 * @throws IllegalArgumentException listing the valid values
	 */
	public static BetaSchedule parse(String text) {
		return EnumNames.parse(BetaSchedule.class, text, "beta schedule");
	}

}
