package dev.visionserve.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.visionserve.generate.scheduler.NoiseSource;
import dev.visionserve.generate.scheduler.Scheduler;
import dev.visionserve.generate.scheduler.SchedulerConfig;
import dev.visionserve.generate.scheduler.Schedulers;
import dev.visionserve.generate.scheduler.SeededNoise;
import dev.visionserve.generate.scheduler.StepResult;

/**
 * One generation request in the engine: an image per seed, each with its own scheduler
 * and its own seeded noise, so its result never depends on what else shares a tick. Its
 * sampling state is touched only by the lane that runs it; {@link #cancel} may come from
 * any thread.
 */
final class GenerationJob {

	private final GenerationSpec spec;

	private final GenerationListener listener;

	private final CompletableFuture<List<byte[]>> result = new CompletableFuture<>();

	private final List<Scheduler> schedulers = new ArrayList<>();

	private final List<NoiseSource> noises = new ArrayList<>();

	private final float[][] samples;

	private final float[][] predictedOriginals;

	private final int[] timesteps;

	private final long startNanos = System.nanoTime();

	private int stepIndex;

	private volatile String cancelReason;

	GenerationJob(GenerationSpec spec, GenerationListener listener) {
		this.spec = spec;
		this.listener = listener;
		int size = spec.denoiser().imageSize();
		this.samples = new float[spec.count()][];
		this.predictedOriginals = new float[spec.count()][];
		SchedulerConfig config = spec.denoiser().schedulerConfig(spec.eta());
		for (int i = 0; i < spec.count(); i++) {
			Scheduler scheduler = Schedulers.create(spec.sampler(), config);
			scheduler.setTimesteps(spec.steps());
			NoiseSource noise = new SeededNoise(spec.seed() + i);
			float[] sample = noise.gaussian(size);
			float sigma = (float) scheduler.initNoiseSigma();
			for (int j = 0; j < size; j++) {
				sample[j] *= sigma;
			}
			this.schedulers.add(scheduler);
			this.noises.add(noise);
			this.samples[i] = sample;
		}
		this.timesteps = this.schedulers.get(0).timesteps();
	}

	GenerationSpec spec() {
		return this.spec;
	}

	CompletableFuture<List<byte[]>> result() {
		return this.result;
	}

	int totalSteps() {
		return this.timesteps.length;
	}

	int timestep() {
		return this.timesteps[this.stepIndex];
	}

	boolean finished() {
		return this.stepIndex >= this.timesteps.length;
	}

	/**
	 * @return the model input for image {@code i} at the current timestep
	 */
	float[] modelInput(int i) {
		return this.schedulers.get(i).scaleModelInput(this.samples[i], timestep());
	}

	/** Advances image {@code i} by one step with the (guided) model output. */
	void advance(int i, float[] modelOutput) {
		StepResult step = this.schedulers.get(i).step(modelOutput, timestep(), this.samples[i], this.noises.get(i));
		this.samples[i] = step.prevSample();
		this.predictedOriginals[i] = step.predOriginalSample();
	}

	/**
	 * Ends the current step for every image: tells the listener, and completes the job
	 * after the last step.
	 */
	void endStep() throws Exception {
		this.stepIndex++;
		try {
			this.listener.progress(this.stepIndex, totalSteps(), elapsedMillis());
			if (this.spec.previewEvery() > 0 && this.stepIndex % this.spec.previewEvery() == 0 && !finished()
					&& this.listener.wantsPreview()) {
				this.listener.preview(this.stepIndex, encode(this.predictedOriginals));
			}
		}
		finally {
			// After the last progress event, whatever the listener did: the result is
			// what the caller waits for.
			if (finished()) {
				this.result.complete(encode(this.samples));
			}
		}
	}

	private List<byte[]> encode(float[][] images) {
		Denoiser denoiser = this.spec.denoiser();
		List<Double> range = denoiser.diffusion().pixelRange();
		List<byte[]> pngs = new ArrayList<>();
		for (float[] image : images) {
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

}
