package dev.visionserve.generate.scheduler;

/**
 * DPM-Solver++(2M) of Lu et al. 2022 (alg. 2), in data-prediction form on λ = log(α/σ)
 * with α = √ᾱ and σ = √(1−ᾱ). The first step is first order (DPM-Solver++ 1, which is
 * DDIM with η = 0) for want of an earlier x̂₀; so is the last, which lands on σ = 0 (ᾱ =
 * 1, diffusers' final_sigmas_type "zero") where the second-order correction is undefined,
 * and which therefore returns that step's x̂₀. Deterministic.
 *
 * <p>
 * {@code dpmpp-2m} steps between the model's own timesteps; {@code dpmpp-2m-karras}
 * between Karras et al.'s noise levels (see {@link MultistepScheduler}), which crowd the
 * low-noise end where few-step samplers lose most detail.
 *
 * <p>
 * Keeps the previous step's x̂₀ and λ, so its steps must be taken in the order of
 * {@link #timesteps()}. Not thread-safe; one instance per generation.
 */
public final class DpmSolverMultistepScheduler extends MultistepScheduler {

	private double[] previousX0Hat;

	private double previousLambda;

	public DpmSolverMultistepScheduler(SchedulerConfig config) {
		this(config, false);
	}

	/**
	 * @param karras whether to step between Karras sigmas instead of the model's
	 * timesteps
	 */
	public DpmSolverMultistepScheduler(SchedulerConfig config, boolean karras) {
		super(config, karras ? "dpmpp-2m-karras" : "dpmpp-2m", karras);
	}

	@Override
	void startRun() {
		this.previousX0Hat = null;
	}

	@Override
	public StepResult step(float[] modelOutput, int timestep, float[] sample, NoiseSource noise) {
		int index = takeStep(modelOutput, timestep, sample);
		boolean last = index + 1 == runLength();
		double alphaBarS = alphaBarAt(index);
		double alphaBarT = alphaBarAt(index + 1);
		double alphaT = Math.sqrt(alphaBarT);
		double sigmaS = Math.sqrt(1 - alphaBarS);
		double sigmaT = Math.sqrt(1 - alphaBarT);
		double lambdaS = lambdaAt(index);
		// +∞ on the last step (σ_t = 0): σ_t/σ_s = 0, −expm1(−h) = 1, so x_t = x̂₀
		double h = lambdaAt(index + 1) - lambdaS;
		double[] x0Hat = Predictions.x0Hat(this.config, modelOutput, sample, alphaBarS);
		boolean firstOrder = this.previousX0Hat == null || last;
		// Lu et al. 2022 alg. 2: r = h_{i−1}/h_i, D = x̂₀ + (x̂₀ − x̂₀_{i−1})/(2r)
		double halfOverR = firstOrder ? 0 : 0.5 * h / (lambdaS - this.previousLambda);
		double sampleCoefficient = sigmaT / sigmaS;
		double dataCoefficient = -alphaT * Math.expm1(-h);
		float[] prev = new float[sample.length];
		for (int i = 0; i < prev.length; i++) {
			double d = firstOrder ? x0Hat[i] : x0Hat[i] + halfOverR * (x0Hat[i] - this.previousX0Hat[i]);
			// Lu et al. 2022 alg. 2: x_t = (σ_t/σ_s)·x_s − α_t·(e^{−h} − 1)·D
			prev[i] = (float) (sampleCoefficient * sample[i] + dataCoefficient * d);
		}
		this.previousX0Hat = x0Hat;
		this.previousLambda = lambdaS;
		return new StepResult(prev, Predictions.toFloat(x0Hat));
	}

}
