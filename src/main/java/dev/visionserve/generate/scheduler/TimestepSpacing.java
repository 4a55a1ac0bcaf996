package dev.visionserve.generate.scheduler;

/**
 * Which training timesteps an inference run of n steps visits, as diffusers'
 * {@code set_timesteps} picks them for {@code timestep_spacing}. Every rule returns n
 * distinct timesteps in descending order when 1 ≤ n ≤ T.
 */
public enum TimestepSpacing {

	/**
	 * Multiples of ⌊T/n⌋ from 0, plus stepsOffset: T=1000, n=10 gives 900, 800, …, 0. The
	 * first step starts below T−1, so the initial noise is not quite pure noise.
	 */
	LEADING {

		@Override
		int[] timesteps(int numTrainTimesteps, int numInferenceSteps, int stepsOffset) {
			int stepRatio = numTrainTimesteps / numInferenceSteps;
			int[] timesteps = new int[numInferenceSteps];
			for (int i = 0; i < numInferenceSteps; i++) {
				timesteps[i] = (numInferenceSteps - 1 - i) * stepRatio + stepsOffset;
			}
			return timesteps;
		}

	},

	/**
	 * round(arange(T, 0, −T/n)) − 1: T=1000, n=10 gives 999, 899, …, 99. Ignores
	 * stepsOffset, as diffusers does.
	 */
	TRAILING {

		@Override
		int[] timesteps(int numTrainTimesteps, int numInferenceSteps, int stepsOffset) {
			double stepRatio = (double) numTrainTimesteps / numInferenceSteps;
			int[] timesteps = new int[numInferenceSteps];
			for (int i = 0; i < numInferenceSteps; i++) {
				// Math.rint rounds half to even, as numpy's round does.
				timesteps[i] = (int) Math.rint(numTrainTimesteps - i * stepRatio) - 1;
			}
			return timesteps;
		}

	},

	/**
	 * round(linspace(0, T−1, n)) reversed: T=1000, n=10 gives 999, 888, …, 111, 0.
	 * Ignores stepsOffset, as diffusers does.
	 */
	LINSPACE {

		@Override
		int[] timesteps(int numTrainTimesteps, int numInferenceSteps, int stepsOffset) {
			int[] timesteps = new int[numInferenceSteps];
			if (numInferenceSteps == 1) {
				return timesteps;
			}
			double step = (numTrainTimesteps - 1) / (double) (numInferenceSteps - 1);
			for (int i = 0; i < numInferenceSteps; i++) {
				timesteps[numInferenceSteps - 1 - i] = (int) Math.rint(i * step);
			}
			return timesteps;
		}

	};

	/**
	 * @param numTrainTimesteps T
	 * @param numInferenceSteps n, from 1 to T
	 * @param stepsOffset added by {@link #LEADING} only
	 * @return n timesteps, descending
	 */
	abstract int[] timesteps(int numTrainTimesteps, int numInferenceSteps, int stepsOffset);

	/**
	 * @param text {@code leading}, {@code trailing} or {@code linspace};
	 * case-insensitive, {@code -} or {@code _}
	 * @return the spacing
	 * @throws IllegalArgumentException listing the valid values
	 */
	public static TimestepSpacing parse(String text) {
		return EnumNames.parse(TimestepSpacing.class, text, "timestep spacing");
	}

}
