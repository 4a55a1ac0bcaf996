package dev.visionserve.generate.scheduler;

/**
 * What every sampler shares: the configuration, the noise schedule and the run's
 * timesteps. Not thread-safe; used by one job.
 */
abstract class AbstractScheduler implements Scheduler {

	protected final SchedulerConfig config;

	protected final NoiseSchedule schedule;

	private int[] timesteps;

	AbstractScheduler(SchedulerConfig config) {
		this.config = config;
		this.schedule = new NoiseSchedule(config);
	}

	@Override
	public void setTimesteps(int numInferenceSteps) {
		int trainSteps = this.config.numTrainTimesteps();
		if (numInferenceSteps < 1 || numInferenceSteps > trainSteps) {
			throw new IllegalArgumentException(
					"numInferenceSteps must be from 1 to " + trainSteps + ", was " + numInferenceSteps);
		}
		int[] chosen = chooseTimesteps(numInferenceSteps);
		if (chosen[0] >= trainSteps) {
			throw new IllegalArgumentException("With stepsOffset " + this.config.stepsOffset() + ", "
					+ numInferenceSteps + " leading steps would start at timestep " + chosen[0]
					+ ", past the last training timestep " + (trainSteps - 1));
		}
		useRun(chosen);
	}

	@Override
	public void setTimesteps(int[] run) {
		int trainSteps = this.config.numTrainTimesteps();
		if (run.length == 0) {
			throw new IllegalArgumentException("A run needs at least one timestep");
		}
		for (int i = 0; i < run.length; i++) {
			if (run[i] < 0 || run[i] >= trainSteps || (i > 0 && run[i] >= run[i - 1])) {
				throw new IllegalArgumentException(
						"A run's timesteps must be distinct, descending and from 0 to " + (trainSteps - 1));
			}
		}
		useRun(run.clone());
	}

	/**
	 * Starts a run; samplers that keep state per run extend this.
	 */
	void useRun(int[] run) {
		this.timesteps = run;
	}

	@Override
	public float[] addNoise(float[] x0, int timestep, NoiseSource noise) {
		return ForwardDiffusion.noise(x0, this.schedule.alphaBar(timestep), noise);
	}

	/**
	 * @return the run's timesteps by the configured spacing; a sampler may pick its own
	 */
	int[] chooseTimesteps(int numInferenceSteps) {
		return this.config.timestepSpacing()
			.timesteps(this.config.numTrainTimesteps(), numInferenceSteps, this.config.stepsOffset());
	}

	@Override
	public int[] timesteps() {
		return requireTimesteps().clone();
	}

	@Override
	public double initNoiseSigma() {
		return 1.0;
	}

	@Override
	public float[] scaleModelInput(float[] sample, int timestep) {
		return sample;
	}

	/**
	 * @return the position of {@code timestep} in the run
	 * @throws IllegalArgumentException when the run does not visit it
	 */
	protected final int indexOf(int timestep) {
		int[] run = requireTimesteps();
		for (int i = 0; i < run.length; i++) {
			if (run[i] == timestep) {
				return i;
			}
		}
		throw new IllegalArgumentException("Timestep " + timestep + " is not one of this run's timesteps");
	}

	/**
	 * The timestep a step lands on is the next entry of the run, not t − T/n, so that
	 * every spacing works.
	 * @return the next timestep of the run, or −1 after the last
	 */
	protected final int prevTimestep(int index) {
		int[] run = requireTimesteps();
		return (index + 1 < run.length) ? run[index + 1] : -1;
	}

	private int[] requireTimesteps() {
		if (this.timesteps == null) {
			throw new IllegalStateException("Call setTimesteps before using the scheduler");
		}
		return this.timesteps;
	}

	static void requireSameLength(float[] modelOutput, float[] sample) {
		if (modelOutput.length != sample.length) {
			throw new IllegalArgumentException(
					"The model output has " + modelOutput.length + " elements but the sample has " + sample.length);
		}
	}

}
