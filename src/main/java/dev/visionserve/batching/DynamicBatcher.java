package dev.visionserve.batching;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.visionserve.batching.BatchMetrics.RejectionReason;

/**
 * Groups jobs submitted from any thread into batches and runs each batch on one of its
 * processors. Knows nothing of HTTP: callers get a {@link CompletableFuture} that fails
 * with {@link QueueFullException}, {@link DeadlineExceededException},
 * {@link BatcherClosedException} or whatever the processor threw.
 *
 * <p>
 * One worker thread per {@link BatchProcessor}, which only that thread ever calls. A
 * worker blocks for the first job, then takes more until the batch holds
 * {@link BatchPolicy#maxBatchSize()} rows or {@link BatchPolicy#maxQueueDelay()} has
 * passed. A job is never split across batches; one that would overflow the current batch
 * opens the worker's next one. Jobs past their deadline, or whose future was cancelled,
 * are dropped without being computed. Admission is the result of {@code offer} on a
 * bounded queue, so a full queue fails fast.
 *
 * <p>
 * Thread-safe. Lives until {@link #close()}, which drains what was accepted and then
 * stops the workers.
 *
 * @param <I> one job's input
 * @param <O> one job's output
 */
public final class DynamicBatcher<I, O> implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(DynamicBatcher.class);

	/** How often an idle worker looks up from the queue to notice {@link #close()}. */
	private static final long IDLE_POLL_MILLIS = 100;

	private final String name;

	private final BatchPolicy policy;

	private final BatchMetrics metrics;

	private final Clock clock;

	private final BlockingQueue<Job<I, O>> queue;

	private final List<Thread> workers = new ArrayList<>();

	private volatile boolean closed;

	public DynamicBatcher(String name, BatchPolicy policy, List<? extends BatchProcessor<I, O>> processors,
			BatchMetrics metrics) {
		this(name, policy, processors, metrics, Clock.systemUTC());
	}

	DynamicBatcher(String name, BatchPolicy policy, List<? extends BatchProcessor<I, O>> processors,
			BatchMetrics metrics, Clock clock) {
		if (processors.isEmpty()) {
			throw new IllegalArgumentException("A batcher needs at least one processor");
		}
		this.name = name;
		this.policy = policy;
		this.metrics = metrics;
		this.clock = clock;
		this.queue = new ArrayBlockingQueue<>(policy.queueCapacity());
		metrics.bindQueueDepth(this.queue::size);
		for (int i = 0; i < processors.size(); i++) {
			Worker worker = new Worker(processors.get(i));
			Thread thread = new Thread(worker::run, name + "-worker-" + i);
			thread.setDaemon(true);
			this.workers.add(thread);
		}
		this.workers.forEach(Thread::start);
	}

	/**
	 * Queues a job.
	 * @param input the job's input
	 * @param rows how many batch rows the input holds, from 1 to {@code maxBatchSize}
	 * @param deadline after this instant the job is dropped instead of computed
	 * @return the job's output, or a failure
	 */
	public CompletableFuture<O> submit(I input, int rows, Instant deadline) {
		if (rows < 1 || rows > this.policy.maxBatchSize()) {
			throw new IllegalArgumentException(
					"A job must hold 1 to " + this.policy.maxBatchSize() + " rows, this one holds " + rows);
		}
		Job<I, O> job = new Job<>(input, rows, deadline, System.nanoTime());
		if (this.closed) {
			return refuse(job, RejectionReason.SHUTTING_DOWN, new BatcherClosedException(this.name));
		}
		if (expired(job)) {
			// Already late (a client's short Request-Timeout): it would only take a queue
			// slot until a worker drops it.
			return refuse(job, RejectionReason.DEADLINE_EXCEEDED, new DeadlineExceededException(this.name));
		}
		if (!this.queue.offer(job)) {
			return refuse(job, RejectionReason.QUEUE_FULL,
					new QueueFullException(this.name, this.policy.queueCapacity(), retryAfter()));
		}
		// close() may have drained the queue between our check and our offer: then nobody
		// would ever take this job.
		if (this.closed && this.queue.remove(job)) {
			return refuse(job, RejectionReason.SHUTTING_DOWN, new BatcherClosedException(this.name));
		}
		return job.result;
	}

	/**
	 * Refuses at once while the queue is full, so that a caller can shed load before it
	 * spends work (decoding, preprocessing) on a job that {@link #submit} would refuse
	 * anyway. Only a hint: admission is still decided by {@code submit}'s offer.
	 * @throws QueueFullException when no job fits in the queue now
	 */
	public void refuseIfFull() {
		if (this.queue.remainingCapacity() == 0) {
			this.metrics.rejected(RejectionReason.QUEUE_FULL);
			throw new QueueFullException(this.name, this.policy.queueCapacity(), retryAfter());
		}
	}

	private CompletableFuture<O> refuse(Job<I, O> job, RejectionReason reason, RuntimeException cause) {
		this.metrics.rejected(reason);
		job.result.completeExceptionally(cause);
		return job.result;
	}

	private Duration retryAfter() {
		// A full queue empties in about capacity / maxBatchSize runs; one second is the
		// smallest honest hint.
		return Duration.ofSeconds(1);
	}

	/**
	 * @return jobs waiting now (not counting batches being formed or run)
	 */
	public int queueDepth() {
		return this.queue.size();
	}

	/**
	 * @return the number of worker threads, one per processor
	 */
	public int workerCount() {
		return this.workers.size();
	}

	public BatchPolicy policy() {
		return this.policy;
	}

	/**
	 * Stops accepting jobs and fails those still queued with
	 * {@link BatcherClosedException} at once; the workers finish the batch they are
	 * running and stop. For a shutdown whose drain time is up: what has not started will
	 * not finish in time, so its callers hear so now.
	 */
	public void stopAccepting() {
		this.closed = true;
		failQueued();
	}

	/**
	 * Stops accepting jobs, lets the workers finish what was accepted, and fails whatever
	 * is still queued after {@code drainTimeout} with {@link BatcherClosedException}, so
	 * nothing accepted is lost silently.
	 * @param drainTimeout how long to wait for the workers to drain the queue
	 * @return whether every worker has stopped; only then may the processors' native
	 * resources be released, since a worker may still be inside a native call
	 */
	public boolean close(Duration drainTimeout) {
		this.closed = true;
		long deadline = System.nanoTime() + drainTimeout.toNanos();
		for (Thread worker : this.workers) {
			long remaining = deadline - System.nanoTime();
			try {
				if (remaining > 0) {
					TimeUnit.NANOSECONDS.timedJoin(worker, remaining);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		failQueued();
		this.metrics.unbind();
		return this.workers.stream().noneMatch(Thread::isAlive);
	}

	private void failQueued() {
		Job<I, O> job;
		while ((job = this.queue.poll()) != null) {
			refuse(job, RejectionReason.SHUTTING_DOWN, new BatcherClosedException(this.name));
		}
	}

	@Override
	public void close() {
		close(Duration.ofSeconds(30));
	}

	private boolean expired(Job<I, O> job) {
		return !this.clock.instant().isBefore(job.deadline);
	}

	/** One job: its input, its size in rows, and the future its caller holds. */
	private record Job<I, O>(I input, int rows, Instant deadline, long enqueuedNanos, CompletableFuture<O> result) {

		Job(I input, int rows, Instant deadline, long enqueuedNanos) {
			this(input, rows, deadline, enqueuedNanos, new CompletableFuture<>());
		}

	}

	/** The loop of one worker thread; all its state is confined to that thread. */
	private final class Worker {

		private final BatchProcessor<I, O> processor;

		/**
		 * A job taken from the queue that did not fit the previous batch; it opens the
		 * next one.
		 */
		private Job<I, O> carried;

		Worker(BatchProcessor<I, O> processor) {
			this.processor = processor;
		}

		void run() {
			try {
				while (true) {
					Job<I, O> first = nextFirstJob();
					if (first == null) {
						if (DynamicBatcher.this.closed && DynamicBatcher.this.queue.isEmpty()) {
							return;
						}
						continue;
					}
					List<Job<I, O>> batch = fillBatch(first);
					if (!batch.isEmpty()) {
						runBatch(batch);
					}
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		private Job<I, O> nextFirstJob() throws InterruptedException {
			if (this.carried != null) {
				Job<I, O> job = this.carried;
				this.carried = null;
				return job;
			}
			return DynamicBatcher.this.queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
		}

		private List<Job<I, O>> fillBatch(Job<I, O> first) throws InterruptedException {
			List<Job<I, O>> batch = new ArrayList<>();
			int rows = admit(first, batch, 0);
			long waitUntil = System.nanoTime() + DynamicBatcher.this.policy.maxQueueDelay().toNanos();
			while (rows < DynamicBatcher.this.policy.maxBatchSize()) {
				long remaining = waitUntil - System.nanoTime();
				Job<I, O> next = (remaining > 0) ? DynamicBatcher.this.queue.poll(remaining, TimeUnit.NANOSECONDS)
						: DynamicBatcher.this.queue.poll();
				if (next == null) {
					break;
				}
				if (rows + next.rows() > DynamicBatcher.this.policy.maxBatchSize()) {
					this.carried = next;
					break;
				}
				rows = admit(next, batch, rows);
			}
			return batch;
		}

		/**
		 * Adds the job to the batch unless it is cancelled or late; returns the batch's
		 * rows.
		 */
		private int admit(Job<I, O> job, List<Job<I, O>> batch, int rows) {
			if (job.result().isDone()) {
				DynamicBatcher.this.metrics.rejected(RejectionReason.CANCELLED);
				return rows;
			}
			if (expired(job)) {
				DynamicBatcher.this.metrics.rejected(RejectionReason.DEADLINE_EXCEEDED);
				job.result().completeExceptionally(new DeadlineExceededException(DynamicBatcher.this.name));
				return rows;
			}
			DynamicBatcher.this.metrics.queueWait(Duration.ofNanos(System.nanoTime() - job.enqueuedNanos()));
			batch.add(job);
			return rows + job.rows();
		}

		private void runBatch(List<Job<I, O>> batch) {
			DynamicBatcher.this.metrics.batchSize(batch.stream().mapToInt(Job::rows).sum());
			List<I> inputs = batch.stream().map(Job::input).toList();
			try {
				List<O> outputs = this.processor.process(inputs);
				if (outputs.size() != batch.size()) {
					throw new IllegalStateException(
							"The processor returned " + outputs.size() + " outputs for " + batch.size() + " inputs");
				}
				for (int i = 0; i < batch.size(); i++) {
					batch.get(i).result().complete(outputs.get(i));
				}
			}
			catch (Throwable ex) {
				logger.warn("A batch of " + batch.size() + " jobs failed in '" + DynamicBatcher.this.name + "': " + ex,
						ex);
				batch.forEach((job) -> job.result().completeExceptionally(ex));
			}
		}

	}

}
