package dev.visionserve.generate.scheduler;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.within;

/**
 * The timesteps of a run, against what diffusers' set_timesteps gives for the same
 * settings (the expected arrays were evaluated with numpy from diffusers' formulas).
 */
class TimestepTests {

	private static int[] timesteps(String scheduler, TimestepSpacing spacing, int stepsOffset, int steps) {
		Scheduler created = Schedulers.create(scheduler, new SchedulerConfig(1000, BetaSchedule.LINEAR, 1e-4, 0.02,
				PredictionType.EPSILON, spacing, stepsOffset, false, 1.0, 0));
		created.setTimesteps(steps);
		return created.timesteps();
	}

	@Test
	void tenStepsMatchDiffusers() {
		for (String name : new String[] { "ddpm", "ddim", "euler" }) {
			assertThat(timesteps(name, TimestepSpacing.LEADING, 0, 10)).containsExactly(900, 800, 700, 600, 500, 400,
					300, 200, 100, 0);
			assertThat(timesteps(name, TimestepSpacing.TRAILING, 0, 10)).containsExactly(999, 899, 799, 699, 599, 499,
					399, 299, 199, 99);
			assertThat(timesteps(name, TimestepSpacing.LINSPACE, 0, 10)).containsExactly(999, 888, 777, 666, 555, 444,
					333, 222, 111, 0);
		}
	}

	@Test
	void roundingIsHalfToEvenAsNumpyRounds() {
		assertThat(timesteps("ddim", TimestepSpacing.LEADING, 0, 3)).containsExactly(666, 333, 0);
		assertThat(timesteps("ddim", TimestepSpacing.TRAILING, 0, 3)).containsExactly(999, 666, 332);
		// linspace(0, 999, 3) = 0, 499.5, 999
		assertThat(timesteps("ddim", TimestepSpacing.LINSPACE, 0, 3)).containsExactly(999, 500, 0);
	}

	@Test
	void stepsOffsetShiftsLeadingOnly() {
		int[] leading = timesteps("ddim", TimestepSpacing.LEADING, 1, 50);
		assertThat(leading[0]).isEqualTo(981);
		assertThat(leading[49]).isEqualTo(1);
		assertThat(timesteps("ddim", TimestepSpacing.TRAILING, 1, 10)[0]).isEqualTo(999);
		assertThat(timesteps("ddim", TimestepSpacing.LINSPACE, 1, 10)[9]).isEqualTo(0);
	}

	@Test
	void dpmSolverDropsTheLastPointOfAnNPlusOneGridAsDiffusersDoes() {
		assertThat(timesteps("dpmpp-2m", TimestepSpacing.LEADING, 0, 10)).containsExactly(900, 810, 720, 630, 540, 450,
				360, 270, 180, 90);
		assertThat(timesteps("dpmpp-2m", TimestepSpacing.LINSPACE, 0, 10)).containsExactly(999, 899, 799, 699, 599, 500,
				400, 300, 200, 100);
		assertThat(timesteps("dpmpp-2m", TimestepSpacing.TRAILING, 0, 10)).containsExactly(999, 899, 799, 699, 599, 499,
				399, 299, 199, 99);
		// Stable Diffusion's settings: leading with steps_offset 1
		int[] stableDiffusion = timesteps("dpmpp-2m", TimestepSpacing.LEADING, 1, 50);
		assertThat(stableDiffusion[0]).isEqualTo(951);
		assertThat(stableDiffusion[49]).isEqualTo(20);
	}

	@Test
	void uniPcChoosesDpmSolversTimestepsAsDiffusersDoes() {
		for (TimestepSpacing spacing : TimestepSpacing.values()) {
			for (int steps : new int[] { 1, 5, 10, 50, 1000 }) {
				assertThat(timesteps("unipc", spacing, 0, steps)).as("%s %d", spacing, steps)
					.containsExactly(timesteps("dpmpp-2m", spacing, 0, steps));
			}
		}
	}

	@Test
	void karrasTimestepsMatchDiffusersRoundedLogSigmaInterpolation() {
		// diffusers' DPMSolverMultistepScheduler(use_karras_sigmas=True) formulas in
		// numpy
		for (String name : new String[] { "dpmpp-2m-karras", "unipc-karras" }) {
			for (TimestepSpacing spacing : TimestepSpacing.values()) {
				assertThat(timesteps(name, spacing, 0, 10)).containsExactly(999, 937, 864, 775, 663, 511, 301, 102, 18,
						0);
				assertThat(timesteps(name, spacing, 0, 5)).containsExactly(999, 843, 593, 142, 0);
				assertThat(timesteps(name, spacing, 0, 2)).containsExactly(999, 0);
				assertThat(timesteps(name, spacing, 0, 1)).containsExactly(999);
			}
		}
	}

	@Test
	void karrasLevelsAreEquationFiveBetweenTheSchedulesSigmaMaxAndSigmaMin() {
		NoiseSchedule schedule = new NoiseSchedule(
				ExactDenoisers.config(PredictionType.EPSILON, TimestepSpacing.LINSPACE, 0));
		double[] sigmas = KarrasSigmas.sigmas(schedule, 10);
		// numpy: ((1 − ᾱ)/ᾱ)^½ at t = 999 and 0, then eq. 5 with ρ = 7
		assertThat(sigmas[0]).isCloseTo(157.407281, within(1e-5));
		assertThat(sigmas[4]).isCloseTo(9.27461195, within(1e-7));
		assertThat(sigmas[9]).isCloseTo(0.0100005, within(1e-8));
	}

	@Test
	void manyKarrasStepsShareRoundedTimesteps() {
		// 79 is the first count at which two Karras levels round to one timestep (numpy)
		assertThat(timesteps("dpmpp-2m-karras", TimestepSpacing.LINSPACE, 0, 78)).doesNotHaveDuplicates();
		int[] run = timesteps("dpmpp-2m-karras", TimestepSpacing.LINSPACE, 0, 79);
		assertThat(Arrays.copyOfRange(run, 71, 79)).containsExactly(12, 9, 6, 4, 3, 1, 1, 0);
		for (String name : new String[] { "dpmpp-2m-karras", "unipc-karras" }) {
			for (int steps = 1; steps <= 1000; steps += (steps < 100) ? 1 : 37) {
				int[] karras = timesteps(name, TimestepSpacing.LINSPACE, 0, steps);
				assertThat(karras).as("%s %d", name, steps).hasSize(steps);
				assertThat(karras[0]).isEqualTo(999);
				assertThat(karras[steps - 1]).isEqualTo((steps == 1) ? 999 : 0);
				for (int i = 1; i < steps; i++) {
					assertThat(karras[i]).as("%s %d", name, steps).isLessThanOrEqualTo(karras[i - 1]);
				}
			}
		}
	}

	@Test
	void everyRunVisitsDistinctDescendingTrainingTimesteps() {
		for (String name : new String[] { "ddim", "dpmpp-2m", "unipc" }) {
			for (TimestepSpacing spacing : TimestepSpacing.values()) {
				for (int steps = 1; steps <= 1000; steps++) {
					int[] run = timesteps(name, spacing, 0, steps);
					// diffusers' arange(T, 0, −T/n) adds a −1 for n = 61, 103, …
					assertThat(run).as("%s %s %d", name, spacing, steps).hasSize(steps);
					assertThat(run[steps - 1]).as("%s %s %d", name, spacing, steps).isGreaterThanOrEqualTo(0);
					assertThat(run[0]).isLessThanOrEqualTo(999);
					for (int i = 1; i < steps; i++) {
						assertThat(run[i]).as("%s %s %d", name, spacing, steps).isLessThan(run[i - 1]);
					}
				}
			}
		}
	}

	@Test
	void oneAndAllSteps() {
		assertThat(timesteps("ddim", TimestepSpacing.LEADING, 0, 1)).containsExactly(0);
		assertThat(timesteps("ddim", TimestepSpacing.TRAILING, 0, 1)).containsExactly(999);
		assertThat(timesteps("ddim", TimestepSpacing.LINSPACE, 0, 1)).containsExactly(0);
		for (TimestepSpacing spacing : TimestepSpacing.values()) {
			int[] all = timesteps("dpmpp-2m", spacing, 0, 1000);
			assertThat(all[0]).isEqualTo(999);
			assertThat(all[999]).isEqualTo(0);
		}
	}

	@Test
	void setTimestepsRefusesCountsOutsideOneToT() {
		for (String name : Schedulers.names()) {
			Scheduler scheduler = Schedulers.create(name,
					ExactDenoisers.config(PredictionType.EPSILON, TimestepSpacing.LEADING, 0));
			assertThatIllegalArgumentException().isThrownBy(() -> scheduler.setTimesteps(0))
				.withMessageContaining("from 1 to 1000");
			assertThatIllegalArgumentException().isThrownBy(() -> scheduler.setTimesteps(1001));
		}
	}

	@Test
	void leadingOffsetMustNotPushPastTheLastTrainingTimestep() {
		assertThatIllegalArgumentException().isThrownBy(() -> timesteps("ddim", TimestepSpacing.LEADING, 1, 1000))
			.withMessageContaining("start at timestep 1000");
	}

	@Test
	void aSchedulerNeedsItsTimestepsBeforeUse() {
		Scheduler scheduler = Schedulers.create("ddim",
				ExactDenoisers.config(PredictionType.EPSILON, TimestepSpacing.LEADING, 0));
		assertThatIllegalStateException().isThrownBy(scheduler::timesteps);
		assertThatIllegalStateException()
			.isThrownBy(() -> scheduler.step(new float[1], 0, new float[1], new SeededNoise(1)));
		Scheduler euler = Schedulers.create("euler",
				ExactDenoisers.config(PredictionType.EPSILON, TimestepSpacing.LEADING, 0));
		assertThatIllegalStateException().isThrownBy(euler::initNoiseSigma);
	}

	@Test
	void timestepsReturnsACopy() {
		Scheduler scheduler = Schedulers.create("ddim",
				ExactDenoisers.config(PredictionType.EPSILON, TimestepSpacing.LEADING, 0));
		scheduler.setTimesteps(10);
		scheduler.timesteps()[0] = 5;
		assertThat(scheduler.timesteps()[0]).isEqualTo(900);
	}

}
