package dev.visionserve.generate.scheduler;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.within;

/**
 * Single steps of dpmpp-2m-karras, unipc and unipc-karras against the papers' update
 * rules, written out here with the small schedule of {@link SingleStepTests}: T = 4 and β
 * = 0.1, 0.2, 0.3, 0.4, so ᾱ_0 … ᾱ_3 = 0.9, 0.72, 0.504, 0.3024. Every step is written in
 * terms of (α, σ, λ) of its two points, so the same formulas check the model's own
 * timesteps and Karras et al.'s levels.
 */
class FewStepSamplerStepTests {

	private static final double[] ALPHA_BAR = { 0.9, 0.9 * 0.8, 0.9 * 0.8 * 0.7, 0.9 * 0.8 * 0.7 * 0.6 };

	private static final float[] X = { 0.5f, -1.0f };

	private static final float[][] EPS = { { 0.2f, 0.3f }, { -0.1f, 0.4f }, { 0.05f, -0.05f }, { 0.3f, 0.1f } };

	private static final NoiseSource NONE = () -> {
		throw new AssertionError("this step must not draw noise");
	};

	/** float32 samples of values near 1, carried over up to four steps. */
	private static final double TOLERANCE = 2e-6;

	private static Scheduler scheduler(String name, TimestepSpacing spacing, int steps) {
		Scheduler scheduler = Schedulers.create(name, new SchedulerConfig(4, BetaSchedule.LINEAR, 0.1, 0.4,
				PredictionType.EPSILON, spacing, 0, false, 1.0, 0));
		scheduler.setTimesteps(steps);
		return scheduler;
	}

	/** A point of the diffusion: x = α·x₀ + σ·ε, with λ = log(α/σ). */
	private record Level(double alpha, double sigma) {

		static Level ofAlphaBar(double alphaBar) {
			return new Level(Math.sqrt(alphaBar), Math.sqrt(1 - alphaBar));
		}

		/** Karras et al.'s σ_K is σ/α: α = 1/√(1+σ_K²), σ = σ_K·α. */
		static Level ofKarrasSigma(double sigmaK) {
			double alpha = 1 / Math.sqrt(1 + sigmaK * sigmaK);
			return new Level(alpha, sigmaK * alpha);
		}

		double lambda() {
			return Math.log(this.alpha / this.sigma);
		}

		double[] x0Hat(float[] x, float[] eps) {
			return new double[] { (x[0] - this.sigma * eps[0]) / this.alpha,
					(x[1] - this.sigma * eps[1]) / this.alpha };
		}

	}

	/**
	 * Karras et al. 2022 eq. 5 with ρ = 7 between σ_K(T−1) and σ_K(0), σ_K = √((1−ᾱ)/ᾱ).
	 */
	private static double[] karrasSigmas(int n) {
		double max = Math.sqrt((1 - ALPHA_BAR[3]) / ALPHA_BAR[3]);
		double min = Math.sqrt((1 - ALPHA_BAR[0]) / ALPHA_BAR[0]);
		double[] sigmas = new double[n];
		for (int i = 0; i < n; i++) {
			sigmas[i] = Math
				.pow(Math.pow(max, 1 / 7.0) + i / (n - 1.0) * (Math.pow(min, 1 / 7.0) - Math.pow(max, 1 / 7.0)), 7);
		}
		return sigmas;
	}

	/**
	 * DPM-Solver++ (Lu et al. 2022, alg. 2) from s to t: x_t = (σ_t/σ_s)·x_s −
	 * α_t·(e^{−h} − 1)·D, with D = x̂₀(s) for the first order and D = (1 + 1/(2r))·x̂₀(s)
	 * − 1/(2r)·x̂₀(u), r = (λ_s − λ_u)/h, for the second, u being the point before s.
	 */
	private static double[] dpmSolver(Level u, Level s, Level t, double[] xs, double[] x0s, double[] x0u) {
		double h = t.lambda() - s.lambda();
		double[] next = new double[2];
		for (int i = 0; i < 2; i++) {
			double d = x0s[i];
			if (x0u != null) {
				double r = (s.lambda() - u.lambda()) / h;
				d = (1 + 1 / (2 * r)) * x0s[i] - 1 / (2 * r) * x0u[i];
			}
			next[i] = t.sigma / s.sigma * xs[i] - t.alpha * (Math.exp(-h) - 1) * d;
		}
		return next;
	}

	/**
	 * φ_k of the UniPC paper, at g = −h for data prediction: φ_1(g) = (e^g − 1)/g, φ_2(g)
	 * = (e^g − 1 − g)/g², φ_3(g) = (e^g − 1 − g − g²/2)/g³.
	 */
	private static double phi(int k, double g) {
		return switch (k) {
			case 1 -> (Math.exp(g) - 1) / g;
			case 2 -> (Math.exp(g) - 1 - g) / (g * g);
			case 3 -> (Math.exp(g) - 1 - g - g * g / 2) / (g * g * g);
			default -> throw new IllegalArgumentException();
		};
	}

	/**
	 * UniC (Zhao et al. 2023, alg. 2, data prediction, B(h) = e^{−h} − 1) from s to t
	 * with x̂₀ at t as a node: x_t^c = (σ_t/σ_s)·x_s − α_t·g·φ_1(g)·m_s − α_t·B(h)·(a₁·D₁
	 * + a_t·(m_t − m_s)), g = −h, D₁ = (m_u − m_s)/r₁, r₁ = (λ_u − λ_s)/h. a solves R·a =
	 * (1!·g·φ_2(g), 2!·g·φ_3(g))/B(h), R = [1 1; r₁ 1]; for order 1 (no u), a_t = ½: the
	 * trapezoid rule in x̂₀.
	 */
	private static double[] uniC(Level u, Level s, Level t, double[] xs, double[] mu, double[] ms, double[] mt) {
		double h = t.lambda() - s.lambda();
		double g = -h;
		double b = Math.exp(g) - 1;
		double a1 = 0;
		double at = 0.5;
		double r1 = 1;
		if (u != null) {
			r1 = (u.lambda() - s.lambda()) / h;
			double g1 = g * phi(2, g) / b;
			double g2 = 2 * g * phi(3, g) / b;
			// Cramer's rule on [1 1; r₁ 1]·(a₁, a_t) = (g1, g2)
			a1 = (g1 - g2) / (1 - r1);
			at = g1 - a1;
		}
		double[] next = new double[2];
		for (int i = 0; i < 2; i++) {
			double d1 = (u != null) ? (mu[i] - ms[i]) / r1 : 0;
			next[i] = t.sigma / s.sigma * xs[i] - t.alpha * g * phi(1, g) * ms[i]
					- t.alpha * b * (a1 * d1 + at * (mt[i] - ms[i]));
		}
		return next;
	}

	private static double[] toDouble(float[] values) {
		return new double[] { values[0], values[1] };
	}

	private static float[] toFloat(double[] values) {
		return new float[] { (float) values[0], (float) values[1] };
	}

	private static void assertValues(float[] actual, double[] expected) {
		assertThat(actual).hasSize(expected.length);
		for (int i = 0; i < expected.length; i++) {
			assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(TOLERANCE));
		}
	}

	@Test
	void karrasSamplersCallTheModelAtTheNearestTimestepOfKarrasLevels() {
		// diffusers' _sigma_to_t on this schedule (numpy): 3.0, 1.372, 0.0
		for (String name : new String[] { "dpmpp-2m-karras", "unipc-karras" }) {
			Scheduler karras = scheduler(name, TimestepSpacing.LINSPACE, 3);
			assertThat(karras.timesteps()).as(name).containsExactly(3, 1, 0);
			assertThat(karras.initNoiseSigma()).isEqualTo(1.0);
			double[] sigmas = karrasSigmas(3);
			assertThat(sigmas[1]).isCloseTo(0.74130598, within(1e-8));
			// addNoise without noise scales by α of the point: the Karras level, not
			// ᾱ_1's
			float[] scaled = karras.addNoise(new float[] { 1f }, 1, () -> 0.0);
			assertThat((double) scaled[0]).isCloseTo(Level.ofKarrasSigma(sigmas[1]).alpha(), within(1e-7));
		}
	}

	@Test
	void dpmSolverKarrasStepsBetweenKarrasLevelsWithLuAlgorithmTwo() {
		Scheduler dpm = scheduler("dpmpp-2m-karras", TimestepSpacing.LINSPACE, 3);
		double[] sigmas = karrasSigmas(3);
		Level l0 = Level.ofKarrasSigma(sigmas[0]);
		Level l1 = Level.ofKarrasSigma(sigmas[1]);
		Level l2 = Level.ofKarrasSigma(sigmas[2]);
		StepResult first = dpm.step(EPS[0], 3, X, NONE);
		double[] m0 = l0.x0Hat(X, EPS[0]);
		assertValues(first.predOriginalSample(), m0);
		assertValues(first.prevSample(), dpmSolver(null, l0, l1, toDouble(X), m0, null));
		StepResult second = dpm.step(EPS[1], 1, first.prevSample(), NONE);
		double[] m1 = l1.x0Hat(first.prevSample(), EPS[1]);
		assertValues(second.prevSample(), dpmSolver(l0, l1, l2, toDouble(first.prevSample()), m1, m0));
		// the last step is first order onto σ = 0: it returns x̂₀ at σ_min
		StepResult last = dpm.step(EPS[2], 0, second.prevSample(), NONE);
		assertValues(last.prevSample(), l2.x0Hat(second.prevSample(), EPS[2]));
	}

	@Test
	void uniPcCorrectsEveryModelCallButTheLastAndPredictsWithDpmSolverTwoM() {
		assertUniPcSteps("unipc", TimestepSpacing.TRAILING, new Level[] { Level.ofAlphaBar(ALPHA_BAR[3]),
				Level.ofAlphaBar(ALPHA_BAR[2]), Level.ofAlphaBar(ALPHA_BAR[1]), Level.ofAlphaBar(ALPHA_BAR[0]) },
				new int[] { 3, 2, 1, 0 });
	}

	@Test
	void uniPcKarrasTakesTheSameStepsBetweenKarrasLevels() {
		double[] sigmas = karrasSigmas(4);
		// diffusers' _sigma_to_t (numpy): 3.0, 1.905, 0.867, 0.0
		assertUniPcSteps("unipc-karras", TimestepSpacing.LINSPACE, new Level[] { Level.ofKarrasSigma(sigmas[0]),
				Level.ofKarrasSigma(sigmas[1]), Level.ofKarrasSigma(sigmas[2]), Level.ofKarrasSigma(sigmas[3]) },
				new int[] { 3, 2, 1, 0 });
	}

	/**
	 * Four steps: P1; C1 then P2; C2 then P2; C2 (discarded) then P1 onto σ = 0, as
	 * diffusers' warm-up and lower_order_final give for four steps.
	 */
	private static void assertUniPcSteps(String name, TimestepSpacing spacing, Level[] levels, int[] timesteps) {
		Scheduler unipc = scheduler(name, spacing, 4);
		assertThat(unipc.timesteps()).containsExactly(timesteps);
		double[][] m = new double[4][];
		// step 0: the model at x_0 = X, no corrector, first-order predictor (DDIM)
		m[0] = levels[0].x0Hat(X, EPS[0]);
		StepResult step0 = unipc.step(EPS[0], timesteps[0], X, NONE);
		assertValues(step0.predOriginalSample(), m[0]);
		double[] predicted1 = dpmSolver(null, levels[0], levels[1], toDouble(X), m[0], null);
		assertValues(step0.prevSample(), predicted1);
		// step 1: x̂₀ from the predicted sample, then UniC-1 (trapezoid) re-takes step 0
		float[] x1 = step0.prevSample();
		m[1] = levels[1].x0Hat(x1, EPS[1]);
		double[] corrected1 = uniC(null, levels[0], levels[1], toDouble(X), null, m[0], m[1]);
		StepResult step1 = unipc.step(EPS[1], timesteps[1], x1, NONE);
		assertValues(step1.predOriginalSample(), m[1]);
		double[] predicted2 = dpmSolver(levels[0], levels[1], levels[2], corrected1, m[1], m[0]);
		assertValues(step1.prevSample(), predicted2);
		// step 2: UniC-2 with the node before, then UniP-2
		float[] x2 = step1.prevSample();
		m[2] = levels[2].x0Hat(x2, EPS[2]);
		double[] corrected2 = uniC(levels[0], levels[1], levels[2], corrected1, m[0], m[1], m[2]);
		StepResult step2 = unipc.step(EPS[2], timesteps[2], x2, NONE);
		assertValues(step2.prevSample(), dpmSolver(levels[1], levels[2], levels[3], corrected2, m[2], m[1]));
		// step 3 (last): first order onto σ = 0, which is x̂₀ at the last point
		float[] x3 = step2.prevSample();
		StepResult step3 = unipc.step(EPS[3], timesteps[3], x3, NONE);
		assertValues(step3.prevSample(), levels[3].x0Hat(x3, EPS[3]));
		// the corrector changed the samples: UniPC is not DPM-Solver++(2M)
		assertThat(Math.abs(corrected1[0] - predicted1[0])).isGreaterThan(1e-3);
	}

	@Test
	void uniPcFirstStepIsDeterministicDdim() {
		Scheduler unipc = scheduler("unipc", TimestepSpacing.TRAILING, 3);
		Scheduler ddim = scheduler("ddim", TimestepSpacing.TRAILING, 3);
		float[] fromDdim = ddim.step(EPS[0], 3, X, NONE).prevSample();
		assertValues(unipc.step(EPS[0], 3, X, NONE).prevSample(), toDouble(fromDdim));
	}

	@Test
	void multistepSamplersRefuseStepsOutOfOrder() {
		for (String name : new String[] { "dpmpp-2m-karras", "unipc", "unipc-karras" }) {
			Scheduler scheduler = scheduler(name, TimestepSpacing.TRAILING, 3);
			int second = scheduler.timesteps()[1];
			assertThatIllegalStateException().isThrownBy(() -> scheduler.step(EPS[0], second, X, NONE))
				.withMessageContaining(name + " must take its steps in order: expected timestep 3");
		}
	}

	@Test
	void karrasSamplersTakeOnlyTheEndOfTheirGridAsARun() {
		for (String name : new String[] { "dpmpp-2m-karras", "unipc-karras" }) {
			Scheduler karras = scheduler(name, TimestepSpacing.LINSPACE, 3);
			double alpha = Level.ofKarrasSigma(karrasSigmas(3)[1]).alpha();
			// img2img: the grid's tail keeps the grid's levels
			karras.setTimesteps(new int[] { 1, 0 });
			assertThat(karras.timesteps()).containsExactly(1, 0);
			assertThat((double) karras.addNoise(new float[] { 1f }, 1, () -> 0.0)[0]).isCloseTo(alpha, within(1e-7));
			StepResult step = karras.step(EPS[0], 1, X, NONE);
			assertValues(step.predOriginalSample(), Level.ofKarrasSigma(karrasSigmas(3)[1]).x0Hat(X, EPS[0]));
			assertThatIllegalArgumentException().isThrownBy(() -> karras.setTimesteps(new int[] { 2, 0 }))
				.withMessageContaining("Karras grid");
			Scheduler fresh = Schedulers.create(name, new SchedulerConfig(4, BetaSchedule.LINEAR, 0.1, 0.4,
					PredictionType.EPSILON, TimestepSpacing.LINSPACE, 0, false, 1.0, 0));
			assertThatIllegalArgumentException().isThrownBy(() -> fresh.setTimesteps(new int[] { 1, 0 }));
		}
	}

	@Test
	void uniPcTakesAnyDescendingRunOnTheModelsOwnLevels() {
		Scheduler unipc = scheduler("unipc", TimestepSpacing.LINSPACE, 3);
		unipc.setTimesteps(new int[] { 2, 0 });
		StepResult step = unipc.step(EPS[0], 2, X, NONE);
		assertValues(step.prevSample(), dpmSolver(null, Level.ofAlphaBar(ALPHA_BAR[2]), Level.ofAlphaBar(ALPHA_BAR[0]),
				toDouble(X), Level.ofAlphaBar(ALPHA_BAR[2]).x0Hat(X, EPS[0]), null));
		assertValues(unipc.step(EPS[1], 0, toFloat(new double[] { 0.1, 0.2 }), NONE).prevSample(),
				Level.ofAlphaBar(ALPHA_BAR[0]).x0Hat(new float[] { 0.1f, 0.2f }, EPS[1]));
	}

}
