package dev.visionserve.generate.scheduler;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

/**
 * The pieces the engine puts around the samplers for editing: runs of given timesteps,
 * each sampler's own {@code addNoise}, the output that implies a chosen x̂₀, RePaint's
 * walk as model calls, and the consistent 8-bit image of a super-resolution.
 */
class EditingLoopPiecesTests {

	private static final SchedulerConfig EPSILON = ExactDenoisers.config(PredictionType.EPSILON,
			TimestepSpacing.LINSPACE, 0);

	private static final NoiseSchedule SCHEDULE = new NoiseSchedule(EPSILON);

	@Test
	void runsGivenTimestepsAndRefusesOnesThatAreNotDescending() {
		for (String name : Schedulers.names()) {
			Scheduler scheduler = Schedulers.create(name, EPSILON);
			if (name.endsWith("-karras")) {
				// their levels belong to their own grid: only its end is a run
				// (FewStepSamplerStepTests)
				assertThatIllegalArgumentException().isThrownBy(() -> scheduler.setTimesteps(new int[] { 300, 120, 7 }))
					.withMessageContaining("Karras grid");
				continue;
			}
			scheduler.setTimesteps(new int[] { 300, 120, 7 });
			assertThat(scheduler.timesteps()).containsExactly(300, 120, 7);
			assertThatIllegalArgumentException().isThrownBy(() -> scheduler.setTimesteps(new int[] { 5, 9 }));
			assertThatIllegalArgumentException().isThrownBy(() -> scheduler.setTimesteps(new int[0]));
			assertThatIllegalArgumentException()
				.isThrownBy(() -> scheduler.setTimesteps(new int[] { EPSILON.numTrainTimesteps() }));
		}
	}

	@Test
	void addsNoiseInEachSamplersOwnSpace() {
		float[] x0 = { 0.5f, -0.25f };
		double alphaBar = SCHEDULE.alphaBar(200);
		double sigma = Math.sqrt((1 - alphaBar) / alphaBar);
		float[] vp = Schedulers.create("ddim", EPSILON).addNoise(x0, 200, () -> 1.0);
		float[] euler = Schedulers.create("euler", EPSILON).addNoise(x0, 200, () -> 1.0);
		for (int i = 0; i < x0.length; i++) {
			assertThat((double) vp[i]).isCloseTo(Math.sqrt(alphaBar) * x0[i] + Math.sqrt(1 - alphaBar), within(1e-6));
			assertThat((double) euler[i]).isCloseTo(x0[i] + sigma, within(1e-5));
		}
	}

	@Test
	void theOutputForAChosenCleanEstimateImpliesItForEveryPredictionType() {
		float[] input = { 0.3f, -0.7f, 0.1f };
		float[] chosen = { 0.9f, -0.2f, 0.0f };
		double alphaBar = SCHEDULE.alphaBar(500);
		for (PredictionType type : PredictionType.values()) {
			SchedulerConfig config = ExactDenoisers.config(type, TimestepSpacing.LINSPACE, 0);
			float[] output = CleanEstimates.outputFor(config, chosen, input, alphaBar);
			float[] back = CleanEstimates.of(config, output, input, alphaBar);
			for (int i = 0; i < chosen.length; i++) {
				assertThat(back[i]).as(type + " element " + i).isCloseTo(chosen[i], within(1e-5f));
			}
		}
	}

	@Test
	void walksRePaintsScheduleAsModelCallsWithOneRenoisingPerJump() {
		int[] run = { 90, 60, 30, 0 };
		int[] schedule = RePaint.schedule(4, 1, 2);
		RePaint.Walk walk = RePaint.walk(run, schedule);
		assertThat(walk.calls()).hasSize(RePaint.denoisingSteps(schedule));
		// Positions 3,2,1,0,1,0,-1... each call lands on the next timestep of the run.
		for (int k = 0; k < walk.calls().length; k++) {
			int index = java.util.Arrays.stream(run).boxed().toList().indexOf(walk.calls()[k]);
			assertThat(walk.landings()[k]).isEqualTo((index + 1 < run.length) ? run[index + 1] : -1);
			if (walk.renoiseTo()[k] != RePaint.Walk.NONE) {
				assertThat(walk.renoiseTo()[k]).isGreaterThan(walk.landings()[k]);
				assertThat(walk.calls()[k + 1]).isEqualTo(walk.renoiseTo()[k]);
			}
			else if (k + 1 < walk.calls().length) {
				assertThat(walk.calls()[k + 1]).isEqualTo(walk.landings()[k]);
			}
		}
		assertThat(walk.landings()[walk.landings().length - 1]).isEqualTo(-1);
		RePaint.Walk plain = RePaint.walk(run, RePaint.schedule(4, 2, 1));
		assertThat(plain.calls()).containsExactly(run);
	}

	@Test
	void theConsistentImageDownsamplesToTheInputExactlyOnEightBitLevels() {
		Random random = new Random(3);
		for (int factor : new int[] { 2, 4, 7 }) {
			LinearProjection projection = new LinearProjection(1, 28, 28, factor);
			for (int trial = 0; trial < 50; trial++) {
				float[] y = new float[(28 / factor) * (28 / factor)];
				for (int i = 0; i < y.length; i++) {
					// Many blocks at the extremes, where clipping fights the projection.
					int level = (random.nextInt(3) == 0) ? 0 : (random.nextInt(3) == 0) ? 255 : random.nextInt(256);
					y[i] = (float) (level / 127.5 - 1);
				}
				float[] x = new float[28 * 28];
				for (int i = 0; i < x.length; i++) {
					x[i] = (float) (1.5 * random.nextGaussian());
				}
				float[] image = projection.consistentImage(x, y, -1, 1);
				float[] levels = new float[image.length];
				for (int i = 0; i < image.length; i++) {
					double level = (image[i] + 1) * 127.5;
					assertThat(level).isBetween(0.0, 255.0).isCloseTo(Math.rint(level), within(1e-3));
					levels[i] = (float) Math.rint(level);
				}
				float[] low = new LinearProjection(1, 28, 28, factor).downsample(levels);
				for (int i = 0; i < y.length; i++) {
					assertThat((double) low[i]).as("factor %d block %d", factor, i)
						.isCloseTo((y[i] + 1) * 127.5, within(1e-3));
				}
			}
		}
	}

	@Test
	void unclippingABlackBackgroundsNoiseBringsItsMeanBackToBlack() {
		Random random = new Random(5);
		for (double sigma : new double[] { 25, 50, 100 }) {
			float[] levels = new float[200_000];
			for (int i = 0; i < levels.length; i++) {
				levels[i] = (float) Math.max(0, Math.min(255, Math.rint(sigma * random.nextGaussian())));
			}
			double clippedMean = java.util.Arrays.stream(toDoubles(levels)).average().orElseThrow();
			double unclippedMean = java.util.Arrays.stream(toDoubles(ClippedNoise.unclip(levels, sigma)))
				.average()
				.orElseThrow();
			assertThat(clippedMean).isGreaterThan(sigma / 3);
			assertThat(unclippedMean).isCloseTo(0, within(sigma / 100));
		}
		assertThat(ClippedNoise.unclip(new float[] { 7, 255, 128 }, 10)).containsExactly(7f,
				(float) (255 + 10 * Math.sqrt(2 / Math.PI)), 128f);
	}

	private static double[] toDoubles(float[] values) {
		double[] doubles = new double[values.length];
		for (int i = 0; i < values.length; i++) {
			doubles[i] = values[i];
		}
		return doubles;
	}

}
