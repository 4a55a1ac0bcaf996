package dev.visionserve.generate.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Runs every sampler with a model that is exactly right for a known data distribution, so
 * that what comes out can be checked against the distribution.
 */
class ExactDenoiserTests {

	private static final float[] X0 = { -0.9f, -0.75f, -0.6f, -0.45f, -0.3f, -0.15f, 0f, 0.1f, 0.2f, 0.35f, 0.5f, 0.65f,
			0.7f, 0.8f, 0.85f, 0.9f };

	/**
	 * With a single data point every sampler lands on it exactly, up to float rounding:
	 * the exact model's x̂₀ is x₀ at every step, and then DDIM's and DPM-Solver++'s last
	 * step (to ᾱ = 1) returns x̂₀; DDPM's last step has x_t coefficient
	 * √α(1−ᾱ_prev)/(1−ᾱ) = 0 and adds no noise, so it also returns x̂₀; Euler moves x −
	 * x₀ = σ·e to σ_next·e (a straight line) and σ = 0 at the end. 1e-4 covers float32
	 * rounding of samples whose magnitude reaches σ_max ≈ 157 in Euler's σ-space.
	 */
	private static final double LANDING = 1e-4;

	static Stream<Arguments> runs() {
		List<Arguments> runs = new ArrayList<>();
		for (TimestepSpacing spacing : TimestepSpacing.values()) {
			for (PredictionType type : PredictionType.values()) {
				for (int steps : new int[] { 1, 2, 5, 10, 50, 1000 }) {
					runs.add(Arguments.of(spacing, type, steps));
				}
			}
		}
		return runs.stream();
	}

	private static float[] landing(String name, TimestepSpacing spacing, PredictionType type, int steps, double eta) {
		Scheduler scheduler = Schedulers.create(name, ExactDenoisers.config(type, spacing, eta));
		return ExactDenoisers.generate(scheduler, type, ExactDenoisers.point(X0), steps, X0.length, 42);
	}

	private static void assertLandsOnX0(float[] x) {
		for (int i = 0; i < X0.length; i++) {
			assertThat((double) x[i]).as("element %d", i).isCloseTo(X0[i], within(LANDING));
		}
	}

	@ParameterizedTest(name = "{0} {1} {2} steps")
	@MethodSource("runs")
	void ddimLandsOnTheDataPointForAnyStepCount(TimestepSpacing spacing, PredictionType type, int steps) {
		assertLandsOnX0(landing("ddim", spacing, type, steps, 0));
	}

	@ParameterizedTest(name = "{0} {1} {2} steps")
	@MethodSource("runs")
	void dpmSolverLandsOnTheDataPointForAnyStepCount(TimestepSpacing spacing, PredictionType type, int steps) {
		assertLandsOnX0(landing("dpmpp-2m", spacing, type, steps, 0));
	}

	@ParameterizedTest(name = "{0} {1} {2} steps")
	@MethodSource("runs")
	void uniPcLandsOnTheDataPointForAnyStepCount(TimestepSpacing spacing, PredictionType type, int steps) {
		assertLandsOnX0(landing("unipc", spacing, type, steps, 0));
	}

	/**
	 * The model is called at rounded timesteps whose ᾱ is not the Karras level's, yet the
	 * last step returns x̂₀ at σ_min, which is exactly t = 0's level (σ_max: t = T−1 for
	 * one step). At 1000 steps several levels share a timestep.
	 */
	@ParameterizedTest(name = "{0} {1} {2} steps")
	@MethodSource("runs")
	void karrasSamplersLandOnTheDataPointForAnyStepCount(TimestepSpacing spacing, PredictionType type, int steps) {
		assertLandsOnX0(landing("dpmpp-2m-karras", spacing, type, steps, 0));
		assertLandsOnX0(landing("unipc-karras", spacing, type, steps, 0));
	}

	@ParameterizedTest(name = "{0} {1} {2} steps")
	@MethodSource("runs")
	void ddpmLandsOnTheDataPointDespiteItsNoise(TimestepSpacing spacing, PredictionType type, int steps) {
		assertLandsOnX0(landing("ddpm", spacing, type, steps, 0));
	}

	@ParameterizedTest(name = "{0} {1} {2} steps")
	@MethodSource("runs")
	void eulerLandsOnTheDataPointForAnyStepCount(TimestepSpacing spacing, PredictionType type, int steps) {
		assertLandsOnX0(landing("euler", spacing, type, steps, 0));
	}

	private static final double MU = 0.3;

	private static final double S = 0.5;

	private static final int SAMPLES = 16384;

	static Stream<Arguments> samplers() {
		List<Arguments> samplers = new ArrayList<>();
		for (String sampler : new String[] { "ddpm", "ddim eta=0", "ddim eta=1", "euler", "dpmpp-2m", "unipc",
				"dpmpp-2m-karras", "unipc-karras" }) {
			for (TimestepSpacing spacing : TimestepSpacing.values()) {
				for (PredictionType type : PredictionType.values()) {
					samplers.add(Arguments.of(sampler, spacing, type));
				}
			}
		}
		return samplers.stream();
	}

	/**
	 * Samples N(μ, s²) data through the exact posterior mean and compares the moments of
	 * 16384 samples with μ and s². Standard errors: s/√N = 0.0039 for the mean and
	 * s²·√(2/(N−1)) = 0.0028 for the variance. The tolerance is 5 of them plus the bias
	 * of 50 steps, measured over 2^21 samples per sampler and spacing (the prediction
	 * type changes nothing beyond float rounding): the mean is off by at most 0.0011, the
	 * variance by −0.053 for ddpm and ddim η=1 (fixed_small's β̃ leaves out the spread of
	 * x₀ given x_t; the two are the same sampler), −0.028 for ddim η=0 and euler (the
	 * same Euler method, in σ-space), and at most +0.0007 for dpmpp-2m. At 1000 steps
	 * these fall to −0.005, −0.002 and −0.001. Over 2^20 samples: unipc −0.0012 at most,
	 * dpmpp-2m-karras +0.0042 and unipc-karras +0.0017 (the Karras grid ignores the
	 * spacing), all ≈ +0.0005 at 1000 steps. The Karras ones move by under 0.0001 when
	 * the model is told the exact level instead of the rounded timestep.
	 */
	@ParameterizedTest(name = "{0} {1} {2}")
	@MethodSource("samplers")
	void everySamplerReproducesGaussianDataInFiftySteps(String sampler, TimestepSpacing spacing, PredictionType type) {
		float[] x = gaussianRun(sampler, spacing, type, SAMPLES, 7);
		double mean = 0;
		for (float v : x) {
			mean += v;
		}
		mean /= x.length;
		double variance = 0;
		for (float v : x) {
			variance += (v - mean) * (v - mean);
		}
		variance /= x.length - 1;
		double meanError = S / Math.sqrt(SAMPLES);
		double varianceError = S * S * Math.sqrt(2.0 / (SAMPLES - 1));
		assertThat(mean).isCloseTo(MU, within(5 * meanError + MEAN_BIAS));
		assertThat(variance).isCloseTo(S * S, within(5 * varianceError + varianceBias(sampler)));
	}

	/**
	 * The Karras samplers with a model told each call's exact level
	 * ({@link ExactDenoisers#karrasAlphaBars}, computed from eq. 5 independently of main
	 * code): the same moments as at the rounded timesteps, so the sampler's own update is
	 * what the Gaussian test above measures.
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "dpmpp-2m-karras", "unipc-karras" })
	void karrasSamplersReproduceGaussianDataAtTheirExactLevels(String sampler) {
		Scheduler scheduler = Schedulers.create(sampler,
				ExactDenoisers.config(PredictionType.EPSILON, TimestepSpacing.LINSPACE, 0));
		float[] x = ExactDenoisers.generateAtLevels(scheduler, PredictionType.EPSILON, ExactDenoisers.gaussian(MU, S),
				ExactDenoisers.karrasAlphaBars(50), SAMPLES, 7);
		double mean = 0;
		for (float v : x) {
			mean += v;
		}
		mean /= x.length;
		double variance = 0;
		for (float v : x) {
			variance += (v - mean) * (v - mean);
		}
		variance /= x.length - 1;
		assertThat(mean).isCloseTo(MU, within(5 * S / Math.sqrt(SAMPLES) + MEAN_BIAS));
		assertThat(variance).isCloseTo(S * S,
				within(5 * S * S * Math.sqrt(2.0 / (SAMPLES - 1)) + varianceBias(sampler)));
	}

	static float[] gaussianRun(String sampler, TimestepSpacing spacing, PredictionType type, int samples, long seed) {
		String name = sampler.split(" ")[0];
		double eta = sampler.endsWith("eta=1") ? 1 : 0;
		Scheduler scheduler = Schedulers.create(name, ExactDenoisers.config(type, spacing, eta));
		return ExactDenoisers.generate(scheduler, type, ExactDenoisers.gaussian(MU, S), 50, samples, seed);
	}

	private static final double MEAN_BIAS = 0.0015;

	private static double varianceBias(String sampler) {
		return switch (sampler) {
			case "ddpm", "ddim eta=1" -> 0.055;
			case "ddim eta=0", "euler" -> 0.029;
			case "dpmpp-2m-karras" -> 0.0045;
			case "unipc-karras", "unipc" -> 0.002;
			default -> 0.001;
		};
	}

}
