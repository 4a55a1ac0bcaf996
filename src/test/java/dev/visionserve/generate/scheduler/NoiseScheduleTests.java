package dev.visionserve.generate.scheduler;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.within;

class NoiseScheduleTests {

	private static NoiseSchedule schedule(int steps, BetaSchedule betaSchedule, double betaStart, double betaEnd) {
		return new NoiseSchedule(new SchedulerConfig(steps, betaSchedule, betaStart, betaEnd, PredictionType.EPSILON,
				TimestepSpacing.LEADING, 0, false, 1.0, 0));
	}

	@Test
	void linearBetasRunEvenlyFromStartToEnd() {
		NoiseSchedule schedule = schedule(1000, BetaSchedule.LINEAR, 1e-4, 0.02);
		assertThat(schedule.numTrainTimesteps()).isEqualTo(1000);
		assertThat(schedule.beta(0)).isCloseTo(1e-4, within(1e-15));
		assertThat(schedule.beta(999)).isCloseTo(0.02, within(1e-15));
		assertThat(schedule.beta(500)).isCloseTo(1e-4 + 500 * (0.02 - 1e-4) / 999, within(1e-15));
		assertThat(schedule.alphaBar(0)).isCloseTo(1 - 1e-4, within(1e-15));
	}

	@Test
	void alphaBarIsTheProductOfOneMinusBeta() {
		NoiseSchedule schedule = schedule(4, BetaSchedule.LINEAR, 0.1, 0.4);
		assertThat(schedule.alphas()).containsExactly(new double[] { 0.9, 0.8, 0.7, 0.6 }, within(1e-15));
		assertThat(schedule.alphasCumprod()).containsExactly(new double[] { 0.9, 0.72, 0.504, 0.3024 }, within(1e-15));
	}

	@Test
	void scaledLinearBetasAreSquaresOfEvenlySpacedRoots() {
		NoiseSchedule schedule = schedule(1000, BetaSchedule.SCALED_LINEAR, 0.00085, 0.012);
		assertThat(schedule.beta(0)).isCloseTo(0.00085, within(1e-15));
		assertThat(schedule.beta(999)).isCloseTo(0.012, within(1e-15));
		double root = Math.sqrt(0.00085) + 300 * (Math.sqrt(0.012) - Math.sqrt(0.00085)) / 999;
		assertThat(schedule.beta(300)).isCloseTo(root * root, within(1e-15));
		// Stable Diffusion's terminal √ᾱ_T as Lin et al. 2024 report it ("Common
		// Diffusion Noise Schedules and Sample Steps are Flawed")
		assertThat(Math.sqrt(schedule.alphaBar(999))).isCloseTo(0.068265, within(1e-6));
	}

	@Test
	void cosineScheduleTelescopesToNicholAndDhariwalsAlphaBar() {
		NoiseSchedule schedule = schedule(1000, BetaSchedule.SQUAREDCOS_CAP_V2, 1e-4, 0.02);
		// Nichol & Dhariwal 2021 eq. 17: ᾱ(t) = f(t)/f(0), s = 0.008
		double f0 = f(0);
		assertThat(schedule.beta(0)).isCloseTo(1 - f(1 / 1000.0) / f0, within(1e-15));
		for (int t : new int[] { 0, 250, 500, 998 }) {
			assertThat(schedule.alphaBar(t)).as("ᾱ_%d", t).isCloseTo(f((t + 1) / 1000.0) / f0, within(1e-12));
		}
		// f(1) = 0 would make β_{T−1} = 1; diffusers caps it at 0.999
		assertThat(schedule.beta(999)).isEqualTo(0.999);
	}

	private static double f(double fraction) {
		double cos = Math.cos((fraction + 0.008) / 1.008 * Math.PI / 2);
		return cos * cos;
	}

	@Test
	void alphaBarBeforeTheFirstTimestepIsOne() {
		NoiseSchedule schedule = schedule(4, BetaSchedule.LINEAR, 0.1, 0.4);
		assertThat(schedule.alphaBarPrev(-1)).isEqualTo(1.0);
		assertThat(schedule.alphaBarPrev(2)).isEqualTo(schedule.alphaBar(2));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> schedule.alphaBar(4));
	}

	@Test
	void accessorsReturnCopies() {
		NoiseSchedule schedule = schedule(4, BetaSchedule.LINEAR, 0.1, 0.4);
		schedule.betas()[0] = 7;
		schedule.alphasCumprod()[0] = 7;
		assertThat(schedule.beta(0)).isCloseTo(0.1, within(1e-15));
		assertThat(schedule.alphaBar(0)).isCloseTo(0.9, within(1e-15));
	}

}
