package dev.visionserve.generate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.visionserve.batching.BatcherClosedException;
import dev.visionserve.batching.DeadlineExceededException;
import dev.visionserve.batching.QueueFullException;
import dev.visionserve.runtime.Tensor;
import dev.visionserve.runtime.TensorJob;
import dev.visionserve.runtime.TensorResult;
import dev.visionserve.runtime.TensorSpec.ElementType;

/**
 * The step-level batching loop of one denoiser. Each of its lanes (one per session of the
 * model, so every session stays busy) repeats a tick: admit waiting jobs in FIFO order
 * while their rows fit {@code maxBatchSize}, drop cancelled and late jobs, gather the
 * current sample of every active job (each at its own timestep, with its own sampler,
 * plus the unconditional rows for guidance), run the denoiser once on all of them through
 * the model's batcher, and advance every job by its own scheduler. New jobs join at the
 * next tick; finished ones leave.
 *
 * <p>
 * Thread-safe: {@link #submit} may be called from any thread; a job's sampling state is
 * only touched by the lane that admitted it. Lives as long as its model.
 */
final class DiffusionEngine implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(DiffusionEngine.class);

	static final String CANCELLED_CLIENT = "client_disconnected";

	static final String CANCELLED_DEADLINE = "deadline_exceeded";

	static final String CANCELLED_SHUTDOWN = "shutting_down";

	static final String CANCELLED_SLOW_CLIENT = "slow_client";

	/** A lane leaves its loop within one tick (milliseconds) of being interrupted. */
	private static final long LANE_JOIN_MILLIS = 10_000;

	private final Denoiser denoiser;

	private final DiffusionMetrics metrics;

	private final int maxRows;

	private final int capacity;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition workArrived = this.lock.newCondition();

	private final Deque<GenerationJob> waiting = new ArrayDeque<>();

	/** Jobs waiting or active: admission control counts both. */
	private final AtomicInteger jobs = new AtomicInteger();

	private final AtomicInteger active = new AtomicInteger();

	/**
	 * The rows per tick of all active jobs, over all lanes: how admission spreads jobs.
	 */
	private final AtomicInteger activeRows = new AtomicInteger();

	private final List<Thread> lanes = new ArrayList<>();

	private volatile boolean closed;

	DiffusionEngine(Denoiser denoiser, MeterRegistry registry) {
		this.denoiser = denoiser;
		this.maxRows = denoiser.model().maxBatchSize();
		this.capacity = denoiser.model().config().batching().queueCapacity();
		this.metrics = new DiffusionMetrics(registry, denoiser.model().name(), this.active::get);
		int laneCount = Math.max(1, denoiser.model().sessions().size());
		for (int i = 0; i < laneCount; i++) {
			Thread lane = new Thread(new Lane()::run, "diffusion-" + denoiser.model().name() + "-" + i);
			lane.setDaemon(true);
			this.lanes.add(lane);
		}
		this.lanes.forEach(Thread::start);
	}

	Denoiser denoiser() {
		return this.denoiser;
	}

	/**
	 * Queues a generation.
	 * @throws QueueFullException when {@code queueCapacity} jobs are already waiting or
	 * active
	 */
	GenerationJob submit(GenerationSpec spec, GenerationListener listener) {
		if (this.closed) {
			throw shuttingDown();
		}
		if (!Instant.now().isBefore(spec.deadline())) {
			// Already late (a client's short Request-Timeout): worth neither a slot
			// nor a tick.
			this.metrics.cancelled(CANCELLED_DEADLINE);
			throw new DeadlineExceededException("diffusion-" + this.denoiser.model().name());
		}
		GenerationJob job = new GenerationJob(spec, listener);
		if (job.finished()) {
			// No model call to make (img2img at strength 0): answered already.
			return job;
		}
		if (this.jobs.incrementAndGet() > this.capacity) {
			this.jobs.decrementAndGet();
			throw new QueueFullException("diffusion-" + this.denoiser.model().name(), this.capacity,
					Duration.ofSeconds(Math.max(1, spec.steps() / 10)));
		}
		this.lock.lock();
		try {
			// Checked again under the lock: abort() fails the waiting jobs under it.
			if (this.closed) {
				this.jobs.decrementAndGet();
				throw shuttingDown();
			}
			this.waiting.addLast(job);
			this.workArrived.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		return job;
	}

	/**
	 * For a shutdown whose drain time is up: refuses new jobs and fails every waiting and
	 * active one with {@link BatcherClosedException} (503 {@code SHUTTING_DOWN}), active
	 * ones as soon as their lane's current tick returns.
	 */
	void abort() {
		this.closed = true;
		failWaiting();
	}

	/**
	 * Stops the lanes and waits for them, so that none submits to the model's batcher
	 * after this returns and the batcher can be closed.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.lanes.forEach(Thread::interrupt);
		for (Thread lane : this.lanes) {
			try {
				lane.join(LANE_JOIN_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		failWaiting();
	}

	private void failWaiting() {
		this.lock.lock();
		try {
			this.waiting.forEach((job) -> fail(job, shuttingDown()));
			this.waiting.clear();
			this.workArrived.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	private BatcherClosedException shuttingDown() {
		return new BatcherClosedException("diffusion-" + this.denoiser.model().name());
	}

	private void fail(GenerationJob job, Throwable cause) {
		if (job.result().completeExceptionally(cause)) {
			this.jobs.decrementAndGet();
		}
	}

	/** One loop over its own active jobs; all its state is confined to its thread. */
	private final class Lane {

		private final List<GenerationJob> jobs = new ArrayList<>();

		void run() {
			try {
				while (!DiffusionEngine.this.closed) {
					admit();
					dropCancelled();
					if (this.jobs.isEmpty()) {
						continue;
					}
					tick();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				for (GenerationJob job : this.jobs) {
					if (!job.result().isDone()) {
						DiffusionEngine.this.metrics.cancelled(CANCELLED_SHUTDOWN);
					}
					fail(job, shuttingDown());
				}
				this.jobs.forEach(this::left);
			}
		}

		/**
		 * Takes waiting jobs in FIFO order while they fit and the lane holds no more than
		 * its share of all rows (active and waiting, divided among the lanes), so that
		 * jobs arriving together spread over the lanes' sessions instead of filling one;
		 * never skips the head of the queue.
		 */
		private void admit() throws InterruptedException {
			int rows = this.jobs.stream().mapToInt((job) -> job.spec().rowsPerTick()).sum();
			DiffusionEngine.this.lock.lock();
			try {
				if (this.jobs.isEmpty() && DiffusionEngine.this.waiting.isEmpty()) {
					DiffusionEngine.this.workArrived.await(100, TimeUnit.MILLISECONDS);
				}
				int waitingRows = DiffusionEngine.this.waiting.stream()
					.mapToInt((job) -> job.spec().rowsPerTick())
					.sum();
				int lanes = DiffusionEngine.this.lanes.size();
				int share = (DiffusionEngine.this.activeRows.get() + waitingRows + lanes - 1) / lanes;
				GenerationJob head;
				while ((head = DiffusionEngine.this.waiting.peekFirst()) != null
						&& rows + head.spec().rowsPerTick() <= DiffusionEngine.this.maxRows
						&& (rows == 0 || rows + head.spec().rowsPerTick() <= share)) {
					DiffusionEngine.this.waiting.pollFirst();
					this.jobs.add(head);
					DiffusionEngine.this.active.incrementAndGet();
					DiffusionEngine.this.activeRows.addAndGet(head.spec().rowsPerTick());
					rows += head.spec().rowsPerTick();
				}
			}
			finally {
				DiffusionEngine.this.lock.unlock();
			}
		}

		/** Counts a job out of the active ones; the caller removes it from the lane. */
		private void left(GenerationJob job) {
			DiffusionEngine.this.active.decrementAndGet();
			DiffusionEngine.this.activeRows.addAndGet(-job.spec().rowsPerTick());
		}

		private void dropCancelled() {
			Instant now = Instant.now();
			for (Iterator<GenerationJob> it = this.jobs.iterator(); it.hasNext();) {
				GenerationJob job = it.next();
				if (job.cancelReason() == null && !now.isBefore(job.spec().deadline())) {
					job.cancel(CANCELLED_DEADLINE);
				}
				if (job.cancelReason() != null || job.result().isDone()) {
					it.remove();
					left(job);
					if (job.cancelReason() != null) {
						DiffusionEngine.this.metrics.cancelled(job.cancelReason());
					}
					fail(job,
							CANCELLED_DEADLINE.equals(job.cancelReason())
									? new DeadlineExceededException(
											"diffusion-" + DiffusionEngine.this.denoiser.model().name())
									: new GenerationCancelledException(job.cancelReason()));
				}
			}
		}

		private void tick() throws InterruptedException {
			TickInputs inputs = new TickInputs(DiffusionEngine.this.denoiser);
			for (GenerationJob job : this.jobs) {
				inputs.add(job);
			}
			DiffusionEngine.this.metrics.tick(inputs.rows());
			Tensor prediction;
			try {
				TensorResult result = DiffusionEngine.this.denoiser.model()
					.submit(inputs.toJob(), latestDeadline())
					.get();
				prediction = result.output(DiffusionEngine.this.denoiser.prediction().name());
			}
			catch (ExecutionException ex) {
				if (ex.getCause() instanceof DeadlineExceededException) {
					// The tick's deadline is the latest of its jobs', so all of them are
					// late: they leave by the usual deadline path (and metric) at the
					// next turn.
					this.jobs.forEach((job) -> job.cancel(CANCELLED_DEADLINE));
					return;
				}
				logger.warn("A denoiser tick of " + inputs.rows() + " rows failed; failing its jobs", ex.getCause());
				this.jobs.forEach((job) -> fail(job, ex.getCause()));
				this.jobs.forEach(this::left);
				this.jobs.clear();
				return;
			}
			int row = 0;
			for (Iterator<GenerationJob> it = this.jobs.iterator(); it.hasNext();) {
				GenerationJob job = it.next();
				row = advance(job, prediction, row);
				if (job.finished() || job.result().isDone()) {
					it.remove();
					left(job);
					if (job.finished()) {
						DiffusionEngine.this.jobs.decrementAndGet();
						DiffusionEngine.this.metrics.finished(job.spec().sampler(), job.spec().plan().mode(),
								job.elapsedMillis() * 1_000_000);
					}
				}
			}
		}

		/**
		 * Advances one job with its rows of the prediction; returns the first row of the
		 * next job.
		 */
		private int advance(GenerationJob job, Tensor prediction, int firstRow) {
			int size = DiffusionEngine.this.denoiser.imageSize();
			int count = job.spec().count();
			float[] all = prediction.floats();
			for (int i = 0; i < count; i++) {
				int conditional = (firstRow + i) * size;
				float[] output = new float[size];
				if (job.spec().guided()) {
					int unconditional = (firstRow + count + i) * size;
					float scale = (float) job.spec().guidanceScale();
					for (int j = 0; j < size; j++) {
						float uncond = all[unconditional + j];
						output[j] = uncond + scale * (all[conditional + j] - uncond);
					}
				}
				else {
					System.arraycopy(all, conditional, output, 0, size);
				}
				job.advance(i, output);
			}
			DiffusionEngine.this.metrics.step(job.spec().sampler(), job.spec().plan().mode());
			try {
				job.endStep();
			}
			catch (Exception ex) {
				// The listener failed: the client is gone. The job leaves at the next
				// tick.
				job.cancel(CANCELLED_CLIENT);
			}
			return firstRow + job.spec().rowsPerTick();
		}

		private Instant latestDeadline() {
			return this.jobs.stream().map((job) -> job.spec().deadline()).max(Instant::compareTo).orElseThrow();
		}

	}

	/**
	 * The rows of one tick: per job, its conditional rows then its unconditional ones.
	 */
	private static final class TickInputs {

		private final Denoiser denoiser;

		private final List<float[]> samples = new ArrayList<>();

		private final List<Integer> timesteps = new ArrayList<>();

		private final List<Integer> classes = new ArrayList<>();

		TickInputs(Denoiser denoiser) {
			this.denoiser = denoiser;
		}

		void add(GenerationJob job) {
			int nullClass = this.denoiser.diffusion().nullClass();
			Integer classIndex = job.spec().classIndex();
			for (int pass = 0; pass < (job.spec().guided() ? 2 : 1); pass++) {
				for (int i = 0; i < job.spec().count(); i++) {
					this.samples.add(job.modelInput(i));
					this.timesteps.add(job.timestep());
					this.classes.add((pass == 0 && classIndex != null) ? classIndex : nullClass);
				}
			}
		}

		int rows() {
			return this.samples.size();
		}

		TensorJob toJob() {
			int rows = rows();
			int size = this.denoiser.imageSize();
			float[] sample = new float[rows * size];
			for (int r = 0; r < rows; r++) {
				System.arraycopy(this.samples.get(r), 0, sample, r * size, size);
			}
			long[] sampleShape = this.denoiser.sample().shape().clone();
			sampleShape[0] = rows;
			Map<String, Tensor> inputs = new LinkedHashMap<>();
			inputs.put(this.denoiser.sample().name(), Tensor.ofFloats(sample, sampleShape));
			inputs.put(this.denoiser.timestep().name(), perRow(this.denoiser.timestep().type(), this.timesteps));
			if (this.denoiser.classLabel() != null) {
				inputs.put(this.denoiser.classLabel().name(), perRow(ElementType.INT64, this.classes));
			}
			return new TensorJob(inputs);
		}

		private static Tensor perRow(ElementType type, List<Integer> values) {
			if (type == ElementType.INT64) {
				return Tensor.ofLongs(values.stream().mapToLong(Integer::longValue).toArray(), values.size());
			}
			float[] floats = new float[values.size()];
			for (int i = 0; i < floats.length; i++) {
				floats[i] = values.get(i);
			}
			return Tensor.ofFloats(floats, values.size());
		}

	}

}
