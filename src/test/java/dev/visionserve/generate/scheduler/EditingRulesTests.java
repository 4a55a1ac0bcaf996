package dev.visionserve.generate.scheduler;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

/**
 * The per-step rules of the image editing loops, checked against the papers' equations:
 * the forward process (Ho eq. 4) and its composition, Tweedie's estimate (Ho eq. 15),
 * RePaint's combination (eq. 9) and jump schedule, DDNM's projection (eq. 8) and SDEdit's
 * start.
 */
class EditingRulesTests {

	private static final NoiseSchedule SCHEDULE = new NoiseSchedule(
			ExactDenoisers.config(PredictionType.EPSILON, TimestepSpacing.LINSPACE, 0));

	@Test
	void noisesAsHoEquationFour() {
		float[] x0 = { 0.5f, -1f, 0f };
		double[] draws = { 1.0, -2.0, 0.25 };
		int[] next = { 0 };
		double alphaBar = SCHEDULE.alphaBar(400);
		float[] xt = ForwardDiffusion.noise(x0, alphaBar, () -> draws[next[0]++]);
		for (int i = 0; i < x0.length; i++) {
			assertThat((double) xt[i]).isCloseTo(Math.sqrt(alphaBar) * x0[i] + Math.sqrt(1 - alphaBar) * draws[i],
					within(1e-6));
		}
	}

	@Test
	void renoisingAfterNoisingHasTheMarginalOfTheNoisierStep() {
		int n = 200_000;
		float[] x0 = new float[n];
		Arrays.fill(x0, 0.5f);
		NoiseSource noise = new SeededNoise(11);
		double alphaBarS = SCHEDULE.alphaBar(300);
		double alphaBarT = SCHEDULE.alphaBar(700);
		float[] xt = ForwardDiffusion.renoise(ForwardDiffusion.noise(x0, alphaBarS, noise), alphaBarS, alphaBarT,
				noise);
		double mean = Arrays.stream(toDouble(xt)).average().orElseThrow();
		double variance = Arrays.stream(toDouble(xt)).map((v) -> (v - mean) * (v - mean)).sum() / n;
		// q(x_t | x_0): mean √ᾱ_t·x₀, variance 1 − ᾱ_t; 200,000 draws: standard error ≈
		// 0.002.
		assertThat(mean).isCloseTo(Math.sqrt(alphaBarT) * 0.5, within(0.01));
		assertThat(variance).isCloseTo(1 - alphaBarT, within(0.01));
	}

	@Test
	void renoisingRefusesToGoTowardsTheCleanEnd() {
		assertThatIllegalArgumentException().isThrownBy(
				() -> ForwardDiffusion.renoise(new float[1], SCHEDULE.alphaBar(700), SCHEDULE.alphaBar(300), () -> 0));
	}

	@Test
	void tweedieWithTheTrueNoiseGivesTheCleanSampleBack() {
		float[] x0 = { 0.9f, -0.3f, 0.1f, -1f };
		NoiseSource noise = new SeededNoise(5);
		float[] epsilon = noise.gaussian(x0.length);
		double alphaBar = SCHEDULE.alphaBar(900);
		int[] next = { 0 };
		float[] xt = ForwardDiffusion.noise(x0, alphaBar, () -> epsilon[next[0]++]);
		float[] back = ForwardDiffusion.tweedie(xt, epsilon, alphaBar);
		for (int i = 0; i < x0.length; i++) {
			assertThat(back[i]).isCloseTo(x0[i], within(1e-4f));
		}
	}

	@Test
	void findsTheTimestepWhoseNoiseMatchesAGivenSigma() {
		for (int t : new int[] { 0, 17, 250, 640, 999 }) {
			double alphaBar = SCHEDULE.alphaBar(t);
			assertThat(ForwardDiffusion.timestepForSigma(SCHEDULE, Math.sqrt((1 - alphaBar) / alphaBar))).isEqualTo(t);
		}
		assertThat(ForwardDiffusion.timestepForSigma(SCHEDULE, 0)).isZero();
		assertThat(ForwardDiffusion.timestepForSigma(SCHEDULE, 1e6)).isEqualTo(999);
		assertThatIllegalArgumentException().isThrownBy(() -> ForwardDiffusion.timestepForSigma(SCHEDULE, Double.NaN));
	}

	@Test
	void rePaintKeepsEveryKnownPixelExactly() {
		float[] known = { 1f, 2f, 3f, 4f };
		float[] unknown = { -1f, -2f, -3f, -4f };
		boolean[] keep = { true, false, true, false };
		assertThat(RePaint.combine(known, unknown, keep)).containsExactly(1f, -2f, 3f, -4f);
	}

	@Test
	void rePaintWithoutResamplingWalksStraightDown() {
		assertThat(RePaint.schedule(5, 2, 1)).containsExactly(4, 3, 2, 1, 0, -1);
		assertThat(RePaint.denoisingSteps(RePaint.schedule(5, 2, 1))).isEqualTo(5);
	}

	@Test
	void rePaintJumpsBackEveryJumpLengthAsThePapersScheduleDoes() {
		// 10 steps, j = 2, r = 2: a jump back at positions 6, 4, 2 and 0.
		assertThat(RePaint.schedule(10, 2, 2)).containsExactly(9, 8, 7, 6, 7, 8, 7, 6, 5, 4, 5, 6, 5, 4, 3, 2, 3, 4, 3,
				2, 1, 0, 1, 2, 1, 0, -1);
		assertThat(RePaint.denoisingSteps(RePaint.schedule(10, 2, 2))).isEqualTo(10 + 4 * 2);
	}

	@Test
	void rePaintSchedulesMoveOnePositionAtATimeAndEndClean() {
		for (int[] args : new int[][] { { 50, 10, 10 }, { 25, 5, 3 }, { 7, 3, 4 }, { 1, 1, 5 } }) {
			int[] schedule = RePaint.schedule(args[0], args[1], args[2]);
			assertThat(schedule[0]).isEqualTo(args[0] - 1);
			assertThat(schedule[schedule.length - 1]).isEqualTo(-1);
			for (int i = 1; i < schedule.length; i++) {
				assertThat(Math.abs(schedule[i] - schedule[i - 1])).isOne();
				assertThat(schedule[i]).isBetween(-1, args[0] - 1);
			}
			int jumps = (args[0] - args[1] > 0) ? (args[0] - args[1] + args[1] - 1) / args[1] : 0;
			assertThat(RePaint.denoisingSteps(schedule)).isEqualTo(args[0] + jumps * (args[2] - 1) * args[1]);
		}
	}

	@Test
	void projectionMakesTheBlockMeansExactlyTheLowResolutionImage() {
		LinearProjection twice = new LinearProjection(1, 28, 28, 2);
		LinearProjection fourTimes = new LinearProjection(1, 28, 28, 4);
		NoiseSource noise = new SeededNoise(3);
		for (LinearProjection a : new LinearProjection[] { twice, fourTimes }) {
			float[] x0Hat = noise.gaussian(28 * 28);
			float[] y = a.downsample(noise.gaussian(28 * 28));
			float[] projected = a.project(x0Hat, y);
			assertThat(a.downsample(projected)).containsExactly(y, within(1e-5f));
			// Idempotent: a consistent estimate is left as it is.
			assertThat(a.project(projected, y)).containsExactly(projected, within(1e-5f));
			// A·A⁺ = I.
			assertThat(a.downsample(a.upsample(y))).containsExactly(y, within(1e-6f));
		}
	}

	@Test
	void projectionKeepsWhatTheModelMadeInsideEachBlock() {
		LinearProjection a = new LinearProjection(1, 2, 2, 2);
		float[] projected = a.project(new float[] { 1f, 3f, 5f, 7f }, new float[] { 0f });
		// Mean 4 becomes 0; the differences within the block stay.
		assertThat(projected).containsExactly(new float[] { -3f, -1f, 1f, 3f }, within(1e-6f));
	}

	@Test
	void projectionRefusesAFactorThatDoesNotDivideTheSize() {
		assertThatIllegalArgumentException().isThrownBy(() -> new LinearProjection(1, 28, 28, 3));
	}

	@Test
	void sdEditStartsAtStrengthTimesTheStepsAndStrengthZeroRunsNothing() {
		int[] timesteps = new int[50];
		assertThat(SdEdit.startIndex(timesteps, 0)).isEqualTo(50);
		assertThat(SdEdit.startIndex(timesteps, 0.6)).isEqualTo(20);
		assertThat(SdEdit.startIndex(timesteps, 1)).isZero();
		assertThatIllegalArgumentException().isThrownBy(() -> SdEdit.startIndex(timesteps, 1.5));
		assertThatIllegalArgumentException().isThrownBy(() -> SdEdit.startIndex(timesteps, Double.NaN));
		assertThat(SdEdit.runLength(50, 0.6)).isEqualTo(30);
		assertThat(SdEdit.runLength(2, 0.5)).isEqualTo(1);
		assertThat(SdEdit.runLength(50, 0)).isZero();
	}

	private static double[] toDouble(float[] values) {
		double[] doubles = new double[values.length];
		for (int i = 0; i < values.length; i++) {
			doubles[i] = values[i];
		}
		return doubles;
	}

}
