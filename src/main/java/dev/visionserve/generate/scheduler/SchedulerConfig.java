package dev.visionserve.generate.scheduler;

/**
 * A scheduler's configuration, with the meaning of the diffusers
 * {@code scheduler_config.json} field of the same name. Immutable and validated on
 * construction.
 *
 * @param numTrainTimesteps T, the number of diffusion steps the model was trained with;
 * at least 1
 * @param betaSchedule how β_t grows with t
 * @param betaStart β_0, in (0, 1); ignored by {@link BetaSchedule#SQUAREDCOS_CAP_V2}
 * @param betaEnd β_{T−1}, in [betaStart, 1); ignored by
 * {@link BetaSchedule#SQUAREDCOS_CAP_V2}
 * @param predictionType what the model outputs
 * @param timestepSpacing which training timesteps an inference run visits
 * @param stepsOffset added to every timestep by {@link TimestepSpacing#LEADING}; from 0
 * to T−1
 * @param clipSample whether ddpm, ddim and the multistep samplers clip the predicted x₀
 * to ±clipSampleRange
 * @param clipSampleRange the clipping bound, positive
 * @param eta DDIM's η in [0, 1]: 0 is deterministic DDIM, 1 is DDPM's ancestral variance;
 * used only by ddim
 */
public record SchedulerConfig(int numTrainTimesteps, BetaSchedule betaSchedule, double betaStart, double betaEnd,
		PredictionType predictionType, TimestepSpacing timestepSpacing, int stepsOffset, boolean clipSample,
		double clipSampleRange, double eta) {

	public SchedulerConfig {
		if (numTrainTimesteps < 1) {
			throw new IllegalArgumentException("numTrainTimesteps must be at least 1, was " + numTrainTimesteps);
		}
		if (betaSchedule == null || predictionType == null || timestepSpacing == null) {
			throw new IllegalArgumentException("betaSchedule, predictionType and timestepSpacing are required");
		}
		// β_0 = 0 would make ᾱ_0 = 1, σ_0 = 0 and several update rules divide by zero.
		if (!(betaStart > 0 && betaStart <= betaEnd && betaEnd < 1)) {
			throw new IllegalArgumentException(
					"Need 0 < betaStart <= betaEnd < 1, was betaStart=" + betaStart + ", betaEnd=" + betaEnd);
		}
		if (stepsOffset < 0 || stepsOffset >= numTrainTimesteps) {
			throw new IllegalArgumentException(
					"stepsOffset must be from 0 to numTrainTimesteps - 1, was " + stepsOffset);
		}
		if (!(clipSampleRange > 0) || Double.isInfinite(clipSampleRange)) {
			throw new IllegalArgumentException("clipSampleRange must be positive and finite, was " + clipSampleRange);
		}
		if (!(eta >= 0 && eta <= 1)) {
			throw new IllegalArgumentException("eta must be in [0, 1], was " + eta);
		}
	}

}
