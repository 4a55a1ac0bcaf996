package dev.visionserve.generate.scheduler;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.within;

/**
 * One step of each sampler against its published update rule, written out here with small
 * numbers: T = 4 and β = 0.1, 0.2, 0.3, 0.4, so ᾱ_0 … ᾱ_3 = 0.9, 0.72, 0.504, 0.3024.
 */
class SingleStepTests {

	private static final double A0 = 0.9;

	private static final double A1 = 0.9 * 0.8;

	private static final double A2 = 0.9 * 0.8 * 0.7;

	private static final double A3 = 0.9 * 0.8 * 0.7 * 0.6;

	private static final float[] X = { 0.5f, -1.0f };

	private static final float[] EPS = { 0.2f, 0.3f };

	private static final double Z = 0.7;

	private static final NoiseSource CONSTANT = () -> Z;

	private static final NoiseSource NONE = () -> {
		throw new AssertionError("this step must not draw noise");
	};

	/** float32 outputs of values near 1. */
	private static final double TOLERANCE = 1e-6;

	private static Scheduler scheduler(String name, PredictionType type, TimestepSpacing spacing, double eta,
			boolean clip, int steps) {
		Scheduler scheduler = Schedulers.create(name,
				new SchedulerConfig(4, BetaSchedule.LINEAR, 0.1, 0.4, type, spacing, 0, clip, 1.0, eta));
		scheduler.setTimesteps(steps);
		return scheduler;
	}

	private static void assertValues(float[] actual, double... expected) {
		assertThat(actual).hasSize(expected.length);
		for (int i = 0; i < expected.length; i++) {
			assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(TOLERANCE));
		}
	}

	@Test
	void ddpmStepIsHoEquationElevenPlusTheFixedSmallNoise() {
		Scheduler ddpm = scheduler("ddpm", PredictionType.EPSILON, TimestepSpacing.TRAILING, 0, false, 2);
		assertThat(ddpm.timesteps()).containsExactly(3, 1);
		StepResult result = ddpm.step(EPS, 3, X, CONSTANT);
		// The jump 3 → 1 is one step with α_t = ᾱ_3/ᾱ_1 and β_t = 1 − α_t.
		double alpha = A3 / A1;
		double beta = 1 - alpha;
		// Ho et al. 2020 eq. 7: σ_t² = β̃_t = (1 − ᾱ_{t−1})/(1 − ᾱ_t)·β_t
		double sigma = Math.sqrt((1 - A1) / (1 - A3) * beta);
		double[] expected = new double[2];
		double[] x0Hat = new double[2];
		for (int i = 0; i < 2; i++) {
			// Ho et al. 2020 eq. 11: x_{t−1} = 1/√α_t·(x_t − β_t/√(1−ᾱ_t)·ε) + σ_t·z
			expected[i] = (X[i] - beta / Math.sqrt(1 - A3) * EPS[i]) / Math.sqrt(alpha) + sigma * Z;
			// Ho et al. 2020 eq. 4 solved for x₀
			x0Hat[i] = (X[i] - Math.sqrt(1 - A3) * EPS[i]) / Math.sqrt(A3);
		}
		assertValues(result.prevSample(), expected);
		assertValues(result.predOriginalSample(), x0Hat);
	}

	@Test
	void ddpmLastStepReturnsX0HatWithoutNoise() {
		Scheduler ddpm = scheduler("ddpm", PredictionType.EPSILON, TimestepSpacing.TRAILING, 0, false, 2);
		StepResult result = ddpm.step(EPS, 1, X, NONE);
		assertValues(result.prevSample(), (X[0] - Math.sqrt(1 - A1) * EPS[0]) / Math.sqrt(A1),
				(X[1] - Math.sqrt(1 - A1) * EPS[1]) / Math.sqrt(A1));
	}

	@Test
	void ddimStepIsSongEquationTwelveWithSigmaFromEquationSixteen() {
		double eta = 0.5;
		Scheduler ddim = scheduler("ddim", PredictionType.EPSILON, TimestepSpacing.TRAILING, eta, false, 2);
		StepResult result = ddim.step(EPS, 3, X, CONSTANT);
		// Song et al. 2021 eq. 16: σ_t(η) = η·√((1−ᾱ_{t−1})/(1−ᾱ_t))·√(1−ᾱ_t/ᾱ_{t−1})
		double sigma = eta * Math.sqrt((1 - A1) / (1 - A3)) * Math.sqrt(1 - A3 / A1);
		double[] expected = new double[2];
		for (int i = 0; i < 2; i++) {
			double x0Hat = (X[i] - Math.sqrt(1 - A3) * EPS[i]) / Math.sqrt(A3);
			// Song et al. 2021 eq. 12
			expected[i] = Math.sqrt(A1) * x0Hat + Math.sqrt(1 - A1 - sigma * sigma) * EPS[i] + sigma * Z;
		}
		assertValues(result.prevSample(), expected);
	}

	@Test
	void ddimReadsVPredictionAsSalimansAndHoDefineIt() {
		float[] v = { 0.4f, -0.2f };
		Scheduler ddim = scheduler("ddim", PredictionType.V_PREDICTION, TimestepSpacing.TRAILING, 0, false, 2);
		StepResult result = ddim.step(v, 3, X, NONE);
		double[] expected = new double[2];
		double[] x0Hats = new double[2];
		for (int i = 0; i < 2; i++) {
			// Salimans & Ho 2022, v = √ᾱ·ε − √(1−ᾱ)·x₀: x₀ = √ᾱ·x − √(1−ᾱ)·v, ε = √ᾱ·v +
			// √(1−ᾱ)·x
			x0Hats[i] = Math.sqrt(A3) * X[i] - Math.sqrt(1 - A3) * v[i];
			double epsilon = Math.sqrt(A3) * v[i] + Math.sqrt(1 - A3) * X[i];
			expected[i] = Math.sqrt(A1) * x0Hats[i] + Math.sqrt(1 - A1) * epsilon;
		}
		assertValues(result.prevSample(), expected);
		assertValues(result.predOriginalSample(), x0Hats);
	}

	@Test
	void ddimClipsX0HatAndUsesTheEpsilonTheClippedX0HatImplies() {
		// x̂₀ = 3.0 from a sample-predicting model, and ≈ 3.95 from ε = −2 (both clipped
		// to 1)
		assertClippedDdimStep(PredictionType.SAMPLE, new float[] { 3.0f, -0.4f });
		assertClippedDdimStep(PredictionType.EPSILON, new float[] { -2.0f, 0.3f });
	}

	private static void assertClippedDdimStep(PredictionType type, float[] output) {
		Scheduler ddim = scheduler("ddim", type, TimestepSpacing.TRAILING, 0, true, 2);
		StepResult result = ddim.step(output, 3, X, NONE);
		double[] clipped = new double[2];
		double[] expected = new double[2];
		for (int i = 0; i < 2; i++) {
			double x0Hat = (type == PredictionType.SAMPLE) ? output[i]
					: (X[i] - Math.sqrt(1 - A3) * output[i]) / Math.sqrt(A3);
			clipped[i] = Math.max(-1, Math.min(1, x0Hat));
			double epsilon = (X[i] - Math.sqrt(A3) * clipped[i]) / Math.sqrt(1 - A3);
			expected[i] = Math.sqrt(A1) * clipped[i] + Math.sqrt(1 - A1) * epsilon;
		}
		assertThat(clipped[0]).isEqualTo(1.0);
		assertValues(result.predOriginalSample(), clipped);
		assertValues(result.prevSample(), expected);
	}

	@Test
	void eulerStepIsKarrasAlgorithmTwoWithoutChurn() {
		Scheduler euler = scheduler("euler", PredictionType.EPSILON, TimestepSpacing.TRAILING, 0, false, 2);
		double sigma3 = Math.sqrt((1 - A3) / A3);
		double sigma1 = Math.sqrt((1 - A1) / A1);
		assertThat(euler.initNoiseSigma()).isCloseTo(sigma3, within(1e-12));
		// x/√(σ²+1) = √ᾱ·x: the variance-preserving input
		assertValues(euler.scaleModelInput(X, 3), Math.sqrt(A3) * X[0], Math.sqrt(A3) * X[1]);
		StepResult result = euler.step(EPS, 3, X, NONE);
		double[] expected = new double[2];
		for (int i = 0; i < 2; i++) {
			double denoised = X[i] - sigma3 * EPS[i];
			// Karras et al. 2022 alg. 2, lines 7-8 with γ = 0: d = (x − D(x; σ))/σ, x' =
			// x + (σ' − σ)·d
			double d = (X[i] - denoised) / sigma3;
			expected[i] = X[i] + (sigma1 - sigma3) * d;
		}
		assertValues(result.prevSample(), expected);
	}

	@Test
	void eulerLastStepLandsOnTheDenoisedSampleForVPrediction() {
		float[] v = { 0.4f, -0.2f };
		Scheduler euler = scheduler("euler", PredictionType.V_PREDICTION, TimestepSpacing.TRAILING, 0, false, 2);
		StepResult result = euler.step(v, 1, X, NONE);
		double[] expected = new double[2];
		for (int i = 0; i < 2; i++) {
			// the model saw √ᾱ·x; x₀ = √ᾱ·(√ᾱ·x) − √(1−ᾱ)·v, and σ_next = 0 ends on it
			expected[i] = A1 * X[i] - Math.sqrt(1 - A1) * v[i];
		}
		assertValues(result.prevSample(), expected);
	}

	@Test
	void eulerInitialNoiseFollowsDiffusersRulePerSpacing() {
		// LEADING visits 2 and 0; √(σ_2² + 1) = 1/√ᾱ_2
		Scheduler leading = scheduler("euler", PredictionType.EPSILON, TimestepSpacing.LEADING, 0, false, 2);
		assertThat(leading.timesteps()).containsExactly(2, 0);
		assertThat(leading.initNoiseSigma()).isCloseTo(1 / Math.sqrt(A2), within(1e-12));
		Scheduler linspace = scheduler("euler", PredictionType.EPSILON, TimestepSpacing.LINSPACE, 0, false, 2);
		assertThat(linspace.initNoiseSigma()).isCloseTo(Math.sqrt((1 - A3) / A3), within(1e-12));
	}

	@Test
	void dpmSolverTakesLuAlgorithmTwoStepsAndEndsOnX0Hat() {
		Scheduler dpm = scheduler("dpmpp-2m", PredictionType.EPSILON, TimestepSpacing.TRAILING, 0, false, 3);
		assertThat(dpm.timesteps()).containsExactly(3, 2, 0);
		double lambda3 = Math.log(Math.sqrt(A3) / Math.sqrt(1 - A3));
		double lambda2 = Math.log(Math.sqrt(A2) / Math.sqrt(1 - A2));
		double lambda0 = Math.log(Math.sqrt(A0) / Math.sqrt(1 - A0));
		// Step 1, first order: x_t = (σ_t/σ_s)·x_s − α_t·(e^{−h} − 1)·x̂₀(s)
		StepResult first = dpm.step(EPS, 3, X, NONE);
		double h1 = lambda2 - lambda3;
		double[] x0Hat3 = new double[2];
		double[] expected1 = new double[2];
		for (int i = 0; i < 2; i++) {
			x0Hat3[i] = (X[i] - Math.sqrt(1 - A3) * EPS[i]) / Math.sqrt(A3);
			expected1[i] = Math.sqrt(1 - A2) / Math.sqrt(1 - A3) * X[i]
					- Math.sqrt(A2) * (Math.exp(-h1) - 1) * x0Hat3[i];
		}
		assertValues(first.prevSample(), expected1);
		// Step 2, second order: D = (1 + 1/(2r))·x̂₀(t_{i−1}) − 1/(2r)·x̂₀(t_{i−2}), r =
		// h_{i−1}/h_i
		float[] x1 = first.prevSample();
		float[] eps2 = { -0.1f, 0.4f };
		StepResult second = dpm.step(eps2, 2, x1, NONE);
		double h2 = lambda0 - lambda2;
		double r = h1 / h2;
		double[] expected2 = new double[2];
		for (int i = 0; i < 2; i++) {
			double x0Hat2 = (x1[i] - Math.sqrt(1 - A2) * eps2[i]) / Math.sqrt(A2);
			double d = (1 + 1 / (2 * r)) * x0Hat2 - 1 / (2 * r) * x0Hat3[i];
			expected2[i] = Math.sqrt(1 - A0) / Math.sqrt(1 - A2) * x1[i] - Math.sqrt(A0) * (Math.exp(-h2) - 1) * d;
		}
		assertValues(second.prevSample(), expected2);
		// Step 3 goes to σ = 0, α = 1: h = ∞ and x_t = x̂₀(0)
		float[] x2 = second.prevSample();
		float[] eps3 = { 0.05f, -0.05f };
		StepResult last = dpm.step(eps3, 0, x2, NONE);
		assertValues(last.prevSample(), (x2[0] - Math.sqrt(1 - A0) * eps3[0]) / Math.sqrt(A0),
				(x2[1] - Math.sqrt(1 - A0) * eps3[1]) / Math.sqrt(A0));
	}

	@Test
	void dpmSolverFirstOrderStepIsDeterministicDdim() {
		Scheduler dpm = scheduler("dpmpp-2m", PredictionType.EPSILON, TimestepSpacing.TRAILING, 0, false, 3);
		Scheduler ddim = scheduler("ddim", PredictionType.EPSILON, TimestepSpacing.TRAILING, 0, false, 3);
		float[] fromDdim = ddim.step(EPS, 3, X, NONE).prevSample();
		assertValues(dpm.step(EPS, 3, X, NONE).prevSample(), fromDdim[0], fromDdim[1]);
	}

	@Test
	void dpmSolverRefusesStepsOutOfOrder() {
		Scheduler dpm = scheduler("dpmpp-2m", PredictionType.EPSILON, TimestepSpacing.TRAILING, 0, false, 3);
		assertThatIllegalStateException().isThrownBy(() -> dpm.step(EPS, 2, X, NONE))
			.withMessageContaining("expected timestep 3");
	}

}
