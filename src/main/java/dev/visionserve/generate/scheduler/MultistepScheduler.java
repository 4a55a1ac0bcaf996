package dev.visionserve.generate.scheduler;

import java.util.Arrays;

/**
 * What the multistep exponential-integrator samplers (dpmpp-2m, unipc and their Karras
 * forms) share: the noise level ᾱ of each point of the run, then ᾱ = 1 after the last
 * (diffusers' final_sigmas_type "zero"), a step counter, and the choice of points.
 *
 * <p>
 * On the model's own spacing the points are the run's timesteps (diffusers' rule of n+1
 * points without the last, see {@link #chooseTimesteps}). With Karras sigmas they are the
 * n levels of {@link KarrasSigmas}: the update uses those levels, and the model is called
 * at the nearest training timestep, which several steps may share when n is large; so the
 * steps are counted, not looked up by timestep. Not thread-safe; one instance per
 * generation.
 */
abstract class MultistepScheduler extends AbstractScheduler {

	private final String name;

	private final boolean karras;

	/** The timesteps and Karras levels of the last {@link #setTimesteps(int)}. */
	private int[] karrasGrid;

	private double[] karrasSigmas;

	/** ᾱ at each point of the run, then 1. */
	private double[] alphaBars;

	private int stepIndex;

	MultistepScheduler(SchedulerConfig config, String name, boolean karras) {
		super(config);
		this.name = name;
		this.karras = karras;
	}

	@Override
	public void setTimesteps(int numInferenceSteps) {
		if (!this.karras) {
			super.setTimesteps(numInferenceSteps);
			return;
		}
		int trainSteps = this.config.numTrainTimesteps();
		if (numInferenceSteps < 1 || numInferenceSteps > trainSteps) {
			throw new IllegalArgumentException(
					"numInferenceSteps must be from 1 to " + trainSteps + ", was " + numInferenceSteps);
		}
		this.karrasSigmas = KarrasSigmas.sigmas(this.schedule, numInferenceSteps);
		this.karrasGrid = KarrasSigmas.timesteps(this.schedule, this.karrasSigmas);
		useRun(this.karrasGrid.clone());
	}

	/**
	 * With Karras sigmas only a tail of the last {@link #setTimesteps(int)} grid is
	 * accepted (img2img starts part way down it, as diffusers' begin index does): the
	 * levels belong to the grid, and diffusers refuses custom timesteps with Karras
	 * sigmas too.
	 */
	@Override
	public void setTimesteps(int[] run) {
		if (!this.karras) {
			super.setTimesteps(run);
			return;
		}
		int[] grid = this.karrasGrid;
		if (grid == null || run.length == 0 || run.length > grid.length
				|| !Arrays.equals(run, Arrays.copyOfRange(grid, grid.length - run.length, grid.length))) {
			throw new IllegalArgumentException(this.name + " runs on its Karras grid: a run must be the end of the "
					+ "timesteps setTimesteps(n) chose, not timesteps of its own");
		}
		useRun(run.clone());
	}

	@Override
	void useRun(int[] run) {
		super.useRun(run);
		this.alphaBars = new double[run.length + 1];
		int offset = this.karras ? this.karrasGrid.length - run.length : 0;
		for (int i = 0; i < run.length; i++) {
			if (this.karras) {
				double sigma = this.karrasSigmas[offset + i];
				// σ = √((1−ᾱ)/ᾱ) solved for ᾱ
				this.alphaBars[i] = 1 / (1 + sigma * sigma);
			}
			else {
				this.alphaBars[i] = this.schedule.alphaBar(run[i]);
			}
		}
		this.alphaBars[run.length] = 1;
		this.stepIndex = 0;
		startRun();
	}

	/** Forgets the model outputs of an earlier run. */
	abstract void startRun();

	/**
	 * diffusers' DPMSolverMultistepScheduler and UniPCMultistepScheduler rule: for
	 * LEADING and LINSPACE, the grid of n+1 timesteps without its last (t = 0), so the
	 * last model call is near T/n and no higher-order step extrapolates across the long
	 * λ-interval into t = 0. TRAILING already ends near T/n; at n = T there is no room
	 * for n+1 timesteps and every spacing visits them all anyway.
	 */
	@Override
	int[] chooseTimesteps(int numInferenceSteps) {
		TimestepSpacing spacing = this.config.timestepSpacing();
		int trainSteps = this.config.numTrainTimesteps();
		if (spacing == TimestepSpacing.TRAILING || numInferenceSteps == trainSteps) {
			return super.chooseTimesteps(numInferenceSteps);
		}
		int[] grid = spacing.timesteps(trainSteps, numInferenceSteps + 1, this.config.stepsOffset());
		return Arrays.copyOf(grid, numInferenceSteps);
	}

	/**
	 * Noises at the level of the run's point for {@code timestep} (a Karras level for the
	 * img2img start), or at the training level for a timestep the run does not visit.
	 */
	@Override
	public float[] addNoise(float[] x0, int timestep, NoiseSource noise) {
		int[] run = (this.alphaBars != null) ? timesteps() : new int[0];
		for (int i = 0; i < run.length; i++) {
			if (run[i] == timestep) {
				return ForwardDiffusion.noise(x0, this.alphaBars[i], noise);
			}
		}
		return super.addNoise(x0, timestep, noise);
	}

	/**
	 * Checks that {@code timestep} is the run's next and counts the step.
	 * @return the index of the step's point in the run
	 */
	final int takeStep(float[] modelOutput, int timestep, float[] sample) {
		requireSameLength(modelOutput, sample);
		int[] run = timesteps();
		if (this.stepIndex >= run.length || run[this.stepIndex] != timestep) {
			indexOf(timestep);
			throw new IllegalStateException(this.name + " must take its steps in order: expected "
					+ ((this.stepIndex < run.length) ? "timestep " + run[this.stepIndex] : "no more steps") + ", got "
					+ timestep);
		}
		return this.stepIndex++;
	}

	/**
	 * @return the number of points in the run (model calls)
	 */
	final int runLength() {
		return this.alphaBars.length - 1;
	}

	/**
	 * @return ᾱ at point {@code index} of the run; 1 at {@link #runLength()}
	 */
	final double alphaBarAt(int index) {
		return this.alphaBars[index];
	}

	/**
	 * @return λ = log(α/σ) at point {@code index}, +∞ at the clean end
	 */
	final double lambdaAt(int index) {
		double alphaBar = this.alphaBars[index];
		return 0.5 * Math.log(alphaBar / (1 - alphaBar));
	}

}
