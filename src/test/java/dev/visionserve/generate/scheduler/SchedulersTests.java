package dev.visionserve.generate.scheduler;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

class SchedulersTests {

	private static final SchedulerConfig CONFIG = ExactDenoisers.config(PredictionType.EPSILON, TimestepSpacing.LEADING,
			1.0);

	@Test
	void createsEachSamplerByName() {
		assertThat(Schedulers.names()).containsExactly("ddpm", "ddim", "euler", "dpmpp-2m", "dpmpp-2m-karras", "unipc",
				"unipc-karras");
		assertThat(Schedulers.create("ddpm", CONFIG)).isInstanceOf(DdpmScheduler.class);
		assertThat(Schedulers.create("DDIM", CONFIG)).isInstanceOf(DdimScheduler.class);
		assertThat(Schedulers.create("euler", CONFIG)).isInstanceOf(EulerScheduler.class);
		assertThat(Schedulers.create("dpmpp-2m", CONFIG)).isInstanceOf(DpmSolverMultistepScheduler.class);
		assertThat(Schedulers.create("DPMPP-2M-Karras", CONFIG)).isInstanceOf(DpmSolverMultistepScheduler.class);
		assertThat(Schedulers.create("unipc", CONFIG)).isInstanceOf(UniPcMultistepScheduler.class);
		assertThat(Schedulers.create(" unipc-karras ", CONFIG)).isInstanceOf(UniPcMultistepScheduler.class);
		assertThat(Schedulers.create("ddim", CONFIG)).isNotSameAs(Schedulers.create("ddim", CONFIG));
	}

	@Test
	void unknownNamesAreRefusedWithTheList() {
		assertThatIllegalArgumentException().isThrownBy(() -> Schedulers.create("pndm", CONFIG))
			.withMessageContaining("'pndm'")
			.withMessageContaining("ddpm, ddim, euler, dpmpp-2m, dpmpp-2m-karras, unipc, unipc-karras");
		assertThatIllegalArgumentException().isThrownBy(() -> Schedulers.create(null, CONFIG));
	}

	@Test
	void seededNoiseIsJavaUtilRandomsSpecifiedSequence() {
		assertThat(new SeededNoise(42).nextGaussian()).isEqualTo(1.1419053154730547);
		Random random = new Random(7);
		float[] noise = new SeededNoise(7).gaussian(5);
		for (float value : noise) {
			assertThat(value).isEqualTo((float) random.nextGaussian());
		}
	}

	@Test
	void theSameSeedGivesTheSameSampleAndAnotherSeedAnother() {
		for (String name : Schedulers.names()) {
			float[] first = run(name, 3);
			assertThat(run(name, 3)).as(name).containsExactly(first);
			assertThat(run(name, 4)).as(name).isNotEqualTo(first);
		}
	}

	private static float[] run(String name, long seed) {
		return ExactDenoisers.generate(Schedulers.create(name, CONFIG), PredictionType.EPSILON,
				ExactDenoisers.gaussian(0.3, 0.5), 20, 64, seed);
	}

	@Test
	void ddimWithEtaOneIsDdpm() {
		// Song et al. 2021 §4.1: η = 1 makes eq. 12 the DDPM posterior, so with the
		// same noise draws the two samplers agree up to float rounding.
		for (TimestepSpacing spacing : TimestepSpacing.values()) {
			SchedulerConfig config = ExactDenoisers.config(PredictionType.EPSILON, spacing, 1.0);
			float[] ddim = ExactDenoisers.generate(Schedulers.create("ddim", config), PredictionType.EPSILON,
					ExactDenoisers.gaussian(0.3, 0.5), 25, 256, 9);
			float[] ddpm = ExactDenoisers.generate(Schedulers.create("ddpm", config), PredictionType.EPSILON,
					ExactDenoisers.gaussian(0.3, 0.5), 25, 256, 9);
			for (int i = 0; i < ddim.length; i++) {
				assertThat((double) ddim[i]).isCloseTo(ddpm[i], within(1e-5));
			}
		}
	}

	@Test
	void stepRefusesMismatchedArraysAndForeignTimesteps() {
		for (String name : Schedulers.names()) {
			Scheduler scheduler = Schedulers.create(name, CONFIG);
			scheduler.setTimesteps(10);
			assertThatIllegalArgumentException()
				.isThrownBy(() -> scheduler.step(new float[3], 900, new float[4], new SeededNoise(1)))
				.withMessageContaining("3 elements");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> scheduler.step(new float[4], 901, new float[4], new SeededNoise(1)))
				.withMessageContaining("901");
		}
	}

	@Test
	void onlyEulerScalesTheModelInput() {
		float[] sample = { 1f, 2f };
		for (String name : new String[] { "ddpm", "ddim", "dpmpp-2m", "dpmpp-2m-karras", "unipc", "unipc-karras" }) {
			Scheduler scheduler = Schedulers.create(name, CONFIG);
			scheduler.setTimesteps(10);
			assertThat(scheduler.scaleModelInput(sample, 900)).containsExactly(sample);
			assertThat(scheduler.initNoiseSigma()).isEqualTo(1.0);
		}
	}

}
