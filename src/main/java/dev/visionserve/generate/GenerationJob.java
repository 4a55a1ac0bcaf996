package dev.visionserve.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.visionserve.generate.scheduler.CleanEstimates;
import dev.visionserve.generate.scheduler.ForwardDiffusion;
import dev.visionserve.generate.scheduler.NoiseSchedule;
import dev.visionserve.generate.scheduler.NoiseSource;
import dev.visionserve.generate.scheduler.RePaint;
import dev.visionserve.generate.scheduler.Scheduler;
import dev.visionserve.generate.scheduler.SchedulerConfig;
import dev.visionserve.generate.scheduler.Schedulers;
import dev.visionserve.generate.scheduler.SdEdit;
import dev.visionserve.generate.scheduler.SeededNoise;
import dev.visionserve.generate.scheduler.StepResult;

/**
 * One request in the engine: an image per seed, each with its own scheduler and its own
 * seeded noise, so its result never depends on what else shares a tick. Its
 * {@link EditPlan} decides where each image starts, which timesteps the model is called
 * at, and what is done to the model's output and to the sample around each step. Its
 * sampling state is touched only by the lane that runs it; {@link #cancel} may come from
 * any thread.
 */
final class GenerationJob {

	/** Denoising a given image adds no noise of its own: the image holds it. */
	private static final NoiseSource NO_NOISE = () -> 0.0;

	private final GenerationSpec spec;

	private final GenerationListener listener;

	private final CompletableFuture<List<byte[]>> result = new CompletableFuture<>();

	private final SchedulerConfig config;

	private final NoiseSchedule schedule;

	/** The model calls of every image, in order; RePaint's walk also renoises. */
	private final RePaint.Walk walk;

	private final List<Chain> chains = new ArrayList<>();

	private final long startNanos = System.nanoTime();

	private int callIndex;

	private volatile String cancelReason;

	GenerationJob(GenerationSpec spec, GenerationListener listener) {
		this.spec = spec;
		this.listener = listener;
		this.config = spec.denoiser().schedulerConfig(spec.eta());
		this.schedule = new NoiseSchedule(this.config);
		RePaint.Walk plannedWalk = null;
		for (int i = 0; i < spec.count(); i++) {
			Scheduler scheduler = Schedulers.create(spec.sampler(), this.config);
			NoiseSource noise = new SeededNoise(spec.seed() + i);
			Start start = start(scheduler, noise);
			plannedWalk = (plannedWalk != null) ? plannedWalk : walk(start.run());
			this.chains.add(new Chain(scheduler, noise, start.sample()));
		}
		this.walk = plannedWalk;
		if (finished()) {
			// Nothing to denoise (img2img at strength 0): the input is the answer.
			this.result.complete(encode(false));
		}
	}

	/**
	 * Sets the scheduler's run for the plan and draws the image's start.
	 */
	private Start start(Scheduler scheduler, NoiseSource noise) {
		if (this.spec.plan() instanceof EditPlan.ImageToImage edit) {
			scheduler.setTimesteps(this.spec.steps());
			int[] grid = scheduler.timesteps();
			int[] run = Arrays.copyOfRange(grid, SdEdit.startIndex(grid, edit.strength()), grid.length);
			if (run.length == 0) {
				return new Start(edit.input().clone(), run);
			}
			scheduler.setTimesteps(run);
			return new Start(scheduler.addNoise(edit.input(), run[0], noise), run);
		}
		if (this.spec.plan() instanceof EditPlan.Denoise edit) {
			scheduler.setTimesteps(denoisingRun(edit));
			return new Start(scheduler.addNoise(edit.noisy(), edit.timestep(), NO_NOISE), scheduler.timesteps());
		}
		scheduler.setTimesteps(this.spec.steps());
		int size = this.spec.denoiser().imageSize();
		float[] sample = noise.gaussian(size);
		float sigma = (float) scheduler.initNoiseSigma();
		for (int j = 0; j < size; j++) {
			sample[j] *= sigma;
		}
		return new Start(sample, scheduler.timesteps());
	}

	/**
	 * From the noise level's timestep down to 0: one step (to Tweedie's x̂₀) for the
	 * posterior mean, else {@code steps} evenly spaced ones.
	 */
	private int[] denoisingRun(EditPlan.Denoise edit) {
		int steps = edit.posteriorMean() ? 1 : Math.min(this.spec.steps(), edit.timestep() + 1);
		int[] run = new int[steps];
		for (int i = 0; i < steps; i++) {
			run[i] = (steps == 1) ? edit.timestep()
					: (int) Math.round(edit.timestep() * (steps - 1 - i) / (double) (steps - 1));
		}
		return run;
	}

	/**
	 * @return the model calls over the sampler's run: each timestep once, landing on the
	 * next; RePaint's walk for inpainting
	 */
	private RePaint.Walk walk(int[] run) {
		if (this.spec.plan() instanceof EditPlan.Inpaint inpaint) {
			return RePaint.walk(run, RePaint.schedule(run.length, inpaint.jumpLength(), inpaint.resampleCount()));
		}
		int[] landings = new int[run.length];
		int[] renoise = new int[run.length];
		for (int i = 0; i < run.length; i++) {
			landings[i] = (i + 1 < run.length) ? run[i + 1] : -1;
			renoise[i] = RePaint.Walk.NONE;
		}
		return new RePaint.Walk(run, landings, renoise);
	}

	/** Where an image starts, and the sampler's run from there. */
	private record Start(float[] sample, int[] run) {
	}

	GenerationSpec spec() {
		return this.spec;
	}

	CompletableFuture<List<byte[]>> result() {
		return this.result;
	}

	/**
	 * @return model calls per image (each a row, two with guidance)
	 */
	int totalSteps() {
		return this.walk.calls().length;
	}

	int timestep() {
		return this.walk.calls()[this.callIndex];
	}

	boolean finished() {
		return this.walk != null && this.callIndex >= this.walk.calls().length;
	}

	/**
	 * @return the model input for image {@code i} at the current timestep
	 */
	float[] modelInput(int i) {
		return this.chains.get(i).modelInput();
	}

	/** Advances image {@code i} by one model call with the (guided) model output. */
	void advance(int i, float[] modelOutput) {
		this.chains.get(i).advance(modelOutput);
	}

	/**
	 * Ends the current call for every image: tells the listener, and completes the job
	 * after the last one.
	 */
	void endStep() throws Exception {
		this.callIndex++;
		try {
			this.listener.progress(this.callIndex, totalSteps(), elapsedMillis());
			if (this.spec.previewEvery() > 0 && this.callIndex % this.spec.previewEvery() == 0 && !finished()
					&& this.listener.wantsPreview()) {
				this.listener.preview(this.callIndex, encode(true));
			}
		}
		finally {
			// After the last progress event, whatever the listener did: the result is
			// what the caller waits for.
			if (finished()) {
				this.result.complete(encode(false));
			}
		}
	}

	private List<byte[]> encode(boolean previews) {
		Denoiser denoiser = this.spec.denoiser();
		List<Double> range = denoiser.diffusion().pixelRange();
		List<byte[]> pngs = new ArrayList<>();
		for (Chain chain : this.chains) {
			float[] image = previews ? chain.preview : chain.finalImage();
			pngs.add(PngEncoder.encode(image, denoiser.channels(), denoiser.height(), denoiser.width(), range.get(0),
					range.get(1)));
		}
		return pngs;
	}

	long elapsedMillis() {
		return (System.nanoTime() - this.startNanos) / 1_000_000;
	}

	/** Asks the engine to drop the job at its next tick; the first reason given wins. */
	void cancel(String reason) {
		if (this.cancelReason == null) {
			this.cancelReason = reason;
		}
	}

	String cancelReason() {
		return this.cancelReason;
	}

	/** One image's sampling state. */
	private final class Chain {

		private final Scheduler scheduler;

		private final NoiseSource noise;

		private float[] sample;

		private float[] preview;

		/**
		 * The model input of the current call: asked for once per row (twice with
		 * guidance) and again by the projection, computed once.
		 */
		private float[] input;

		private int inputCall = -1;

		Chain(Scheduler scheduler, NoiseSource noise, float[] start) {
			this.scheduler = scheduler;
			this.noise = noise;
			this.sample = start;
			this.preview = start;
		}

		float[] modelInput() {
			if (this.inputCall != GenerationJob.this.callIndex) {
				this.input = this.scheduler.scaleModelInput(this.sample, timestep());
				this.inputCall = GenerationJob.this.callIndex;
			}
			return this.input;
		}

		void advance(float[] modelOutput) {
			EditPlan plan = GenerationJob.this.spec.plan();
			int timestep = timestep();
			float[] output = modelOutput;
			if (plan instanceof EditPlan.SuperResolution edit) {
				// DDNM: the sampler steps towards x̂₀ with its block means replaced by
				// the
				// input's.
				double alphaBar = GenerationJob.this.schedule.alphaBar(timestep);
				float[] input = modelInput();
				float[] x0 = CleanEstimates.of(GenerationJob.this.config, output, input, alphaBar);
				float[] projected = edit.projection().project(x0, edit.lowResolution());
				output = CleanEstimates.outputFor(GenerationJob.this.config, projected, input, alphaBar);
			}
			StepResult step = this.scheduler.step(output, timestep, this.sample, this.noise);
			this.sample = step.prevSample();
			this.preview = step.predOriginalSample();
			if (plan instanceof EditPlan.Inpaint edit) {
				repaint(edit);
			}
		}

		/**
		 * RePaint's eq. 8–9 after the step, then its step back up when the walk jumps.
		 */
		private void repaint(EditPlan.Inpaint edit) {
			RePaint.Walk walk = GenerationJob.this.walk;
			int landing = walk.landings()[GenerationJob.this.callIndex];
			double alphaBar = GenerationJob.this.schedule.alphaBarPrev(landing);
			float[] known = (landing < 0) ? edit.known() : ForwardDiffusion.noise(edit.known(), alphaBar, this.noise);
			this.sample = RePaint.combine(known, this.sample, edit.keep());
			this.preview = RePaint.combine(edit.known(), this.preview, edit.keep());
			int renoiseTo = walk.renoiseTo()[GenerationJob.this.callIndex];
			if (renoiseTo != RePaint.Walk.NONE) {
				this.sample = ForwardDiffusion.renoise(this.sample, alphaBar,
						GenerationJob.this.schedule.alphaBar(renoiseTo), this.noise);
			}
		}

		float[] finalImage() {
			if (GenerationJob.this.spec.plan() instanceof EditPlan.SuperResolution edit) {
				List<Double> range = GenerationJob.this.spec.denoiser().diffusion().pixelRange();
				return edit.projection().consistentImage(this.sample, edit.lowResolution(), range.get(0), range.get(1));
			}
			return this.sample;
		}

	}

}
