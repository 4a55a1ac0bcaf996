package dev.visionserve.generate.scheduler;

/**
 * UniPC of Zhao et al. 2023 with diffusers' UniPCMultistepScheduler defaults: data
 * prediction (x̂₀), B(h) = e^{−h} − 1 ("bh2"), a predictor (UniP) of order 2 and after
 * every model call but the first the corrector (UniC) of the previous predictor's order,
 * which re-takes the previous step with the new x̂₀ as well (order + 1 for free: no extra
 * model call). Lower order first (no earlier x̂₀) and last (the last step lands on σ = 0,
 * returns that step's x̂₀ and is not corrected, since no model call follows it).
 * Deterministic.
 *
 * <p>
 * With data prediction, bh2 and order 2 the predictor is DPM-Solver++(2M)'s update; the
 * corrector is what UniPC adds. {@code unipc} steps between the model's own timesteps,
 * {@code unipc-karras} between Karras et al.'s noise levels (see
 * {@link MultistepScheduler}).
 *
 * <p>
 * Keeps the last two x̂₀ and the last corrected sample, so its steps must be taken in the
 * order of {@link #timesteps()}. Not thread-safe; one instance per generation.
 */
public final class UniPcMultistepScheduler extends MultistepScheduler {

	private static final int SOLVER_ORDER = 2;

	/** x̂₀ at the previous point (m₀ of the paper's notation) and the one before (m₁). */
	private double[] previousX0Hat;

	private double[] olderX0Hat;

	/** The sample the previous predictor started from, after its own correction. */
	private double[] lastSample;

	private int lastOrder;

	public UniPcMultistepScheduler(SchedulerConfig config) {
		this(config, false);
	}

	/**
	 * @param karras whether to step between Karras sigmas instead of the model's
	 * timesteps
	 */
	public UniPcMultistepScheduler(SchedulerConfig config, boolean karras) {
		super(config, karras ? "unipc-karras" : "unipc", karras);
	}

	@Override
	void startRun() {
		this.previousX0Hat = null;
		this.olderX0Hat = null;
		this.lastSample = null;
	}

	@Override
	public StepResult step(float[] modelOutput, int timestep, float[] sample, NoiseSource noise) {
		int index = takeStep(modelOutput, timestep, sample);
		// x̂₀ from the model at the predicted sample, before the corrector moves it
		double[] x0Hat = Predictions.x0Hat(this.config, modelOutput, sample, alphaBarAt(index));
		double[] x = (this.lastSample != null) ? correct(index, x0Hat) : asDoubles(sample);
		this.olderX0Hat = this.previousX0Hat;
		this.previousX0Hat = x0Hat;
		// diffusers: min(order, steps left (lower_order_final), steps taken + 1
		// (warm-up))
		int order = Math.min(SOLVER_ORDER, Math.min(runLength() - index, index + 1));
		this.lastSample = x;
		this.lastOrder = order;
		return new StepResult(Predictions.toFloat(predict(index, x, order)), Predictions.toFloat(x0Hat));
	}

	/**
	 * UniP-p (Zhao et al. 2023, alg. 1 with B(h) = e^{−h} − 1) from point s to the next:
	 * x_t = (σ_t/σ_s)·x_s − α_t·(e^{−h} − 1)·m₀ − α_t·B(h)·½·D₁, D₁ = (m₁ − m₀)/r₁, r₁ =
	 * (λ_{s−1} − λ_s)/h; ½ is diffusers' a₁ for p = 2 (the paper's order-2
	 * simplification).
	 */
	private double[] predict(int index, double[] x, int order) {
		StepFrame frame = new StepFrame(index, index + 1);
		double[] m0 = this.previousX0Hat;
		double[] next = new double[x.length];
		double r1 = (order == 2) ? (lambdaAt(index - 1) - lambdaAt(index)) / frame.h : 0;
		for (int i = 0; i < next.length; i++) {
			double value = frame.sampleCoefficient * x[i] - frame.alphaT * frame.phi * m0[i];
			if (order == 2) {
				double d1 = (this.olderX0Hat[i] - m0[i]) / r1;
				value -= frame.alphaT * frame.phi * 0.5 * d1;
			}
			next[i] = value;
		}
		return next;
	}

	/**
	 * UniC-p (Zhao et al. 2023, alg. 2 with B(h) = e^{−h} − 1): re-takes the step from
	 * the previous point s to this one t, with this point's x̂₀ m_t as one more node:
	 * x_t^c = (σ_t/σ_s)·x_s − α_t·(e^{−h} − 1)·m₀ − α_t·B(h)·(Σ_k a_k·D_k + a_p·(m_t −
	 * m₀)), where a solves R_p(h)·a = φ_p(h)/B(h) (a = ½ for p = 1).
	 */
	private double[] correct(int index, double[] x0HatT) {
		StepFrame frame = new StepFrame(index - 1, index);
		double[] m0 = this.previousX0Hat;
		double[] x = this.lastSample;
		double rhoD1 = 0;
		double rhoT = 0.5;
		double r1 = 1;
		if (this.lastOrder == 2) {
			r1 = (lambdaAt(index - 2) - lambdaAt(index - 1)) / frame.h;
			// b_k = k!·g·φ_{k+1}(g)/B(h) with g = −h, by φ_{k+1}(g) = (φ_k(g) − 1/k!)/g
			// from φ₁(g) = (e^g − 1)/g: g·φ₂ = φ₁ − 1, g·φ₃ = φ₂ − ½
			double hh = -frame.h;
			double phiK = frame.phi / hh - 1;
			double b1 = phiK / frame.phi;
			double b2 = 2 * (phiK / hh - 0.5) / frame.phi;
			// [1 1; r₁ 1]·(a₁, a₂) = (b₁, b₂)
			rhoD1 = (b1 - b2) / (1 - r1);
			rhoT = b1 - rhoD1;
		}
		double[] corrected = new double[x.length];
		for (int i = 0; i < corrected.length; i++) {
			double sum = rhoT * (x0HatT[i] - m0[i]);
			if (this.lastOrder == 2) {
				sum += rhoD1 * (this.olderX0Hat[i] - m0[i]) / r1;
			}
			corrected[i] = frame.sampleCoefficient * x[i] - frame.alphaT * frame.phi * m0[i]
					- frame.alphaT * frame.phi * sum;
		}
		return corrected;
	}

	private static double[] asDoubles(float[] values) {
		double[] doubles = new double[values.length];
		for (int i = 0; i < values.length; i++) {
			doubles[i] = values[i];
		}
		return doubles;
	}

	/** The coefficients of a step from point s to point t of the run. */
	private final class StepFrame {

		final double h;

		final double alphaT;

		final double sampleCoefficient;

		/**
		 * e^{−h} − 1: the first-order term, and B(h) too, which bh2 defines as the same
		 * function.
		 */
		final double phi;

		StepFrame(int s, int t) {
			double alphaBarS = alphaBarAt(s);
			double alphaBarT = alphaBarAt(t);
			this.h = lambdaAt(t) - lambdaAt(s);
			this.alphaT = Math.sqrt(alphaBarT);
			this.sampleCoefficient = Math.sqrt(1 - alphaBarT) / Math.sqrt(1 - alphaBarS);
			this.phi = Math.expm1(-this.h);
		}

	}

}
