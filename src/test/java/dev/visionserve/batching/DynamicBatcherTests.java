package dev.visionserve.batching;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DynamicBatcherTests {

	private static final Instant FAR = Instant.now().plus(Duration.ofHours(1));

	private static final long WAIT_SECONDS = 30;

	private final List<DynamicBatcher<?, ?>> batchers = new ArrayList<>();

	@AfterEach
	void closeBatchers() {
		this.batchers.forEach(DynamicBatcher::close);
	}

	private <I, O> DynamicBatcher<I, O> batcher(BatchPolicy policy, List<BatchProcessor<I, O>> processors,
			BatchMetrics metrics, Clock clock) {
		DynamicBatcher<I, O> batcher = new DynamicBatcher<>("test", policy, processors, metrics, clock);
		this.batchers.add(batcher);
		return batcher;
	}

	private static BatchPolicy policy(int maxBatchSize, int capacity) {
		return new BatchPolicy(maxBatchSize, Duration.ZERO, capacity);
	}

	@Test
	void returnsEachResultToItsOwnCallerUnderSixtyFourConcurrentSubmitters() throws Exception {
		List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
		BatchProcessor<Integer, Integer> square = (inputs) -> {
			sizes.add(inputs.size());
			return inputs.stream().map((i) -> i * i).toList();
		};
		DynamicBatcher<Integer, Integer> batcher = batcher(policy(16, 10_000), List.of(square, square),
				BatchMetrics.NONE, Clock.systemUTC());
		ExecutorService clients = Executors.newFixedThreadPool(64);
		try {
			List<Future<List<int[]>>> results = new ArrayList<>();
			CountDownLatch start = new CountDownLatch(1);
			for (int client = 0; client < 64; client++) {
				int base = client * 1000;
				results.add(clients.submit(() -> {
					start.await();
					List<int[]> pairs = new ArrayList<>();
					for (int i = 0; i < 200; i++) {
						int value = base + i;
						pairs.add(
								new int[] { value, batcher.submit(value, 1, FAR).get(WAIT_SECONDS, TimeUnit.SECONDS) });
					}
					return pairs;
				}));
			}
			start.countDown();
			int checked = 0;
			for (Future<List<int[]>> result : results) {
				for (int[] pair : result.get(60, TimeUnit.SECONDS)) {
					assertThat(pair[1]).isEqualTo(pair[0] * pair[0]);
					checked++;
				}
			}
			assertThat(checked).isEqualTo(64 * 200);
			assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(64 * 200);
		}
		finally {
			clients.shutdownNow();
		}
	}

	@Test
	void formsBatchesFromJobsThatQueuedWhileTheWorkerWasBusy() throws Exception {
		BlockingProcessor processor = new BlockingProcessor();
		DynamicBatcher<String, String> batcher = batcher(policy(8, 100), List.of(processor), BatchMetrics.NONE,
				Clock.systemUTC());
		List<CompletableFuture<String>> results = new ArrayList<>();
		results.add(batcher.submit("first", 1, FAR));
		processor.awaitBatchStarted();
		for (int i = 0; i < 10; i++) {
			results.add(batcher.submit("job" + i, 1, FAR));
		}
		processor.release();
		for (int i = 0; i < results.size(); i++) {
			assertThat(results.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS))
				.isEqualTo(i == 0 ? "FIRST" : "JOB" + (i - 1));
		}
		assertThat(processor.batchSizes).containsExactly(1, 8, 2);
	}

	@Test
	void neverSplitsAJobAndCarriesTheOneThatDoesNotFitIntoTheNextBatch() throws Exception {
		BlockingProcessor processor = new BlockingProcessor();
		RecordingMetrics metrics = new RecordingMetrics();
		DynamicBatcher<String, String> batcher = batcher(policy(8, 100), List.of(processor), metrics,
				Clock.systemUTC());
		CompletableFuture<String> first = batcher.submit("a", 1, FAR);
		processor.awaitBatchStarted();
		CompletableFuture<String> five = batcher.submit("b", 5, FAR);
		CompletableFuture<String> four = batcher.submit("c", 4, FAR);
		CompletableFuture<String> three = batcher.submit("d", 3, FAR);
		processor.release();
		assertThat(List.of(first, five, four, three))
			.allSatisfy((f) -> assertThat(f.get(WAIT_SECONDS, TimeUnit.SECONDS)).isNotNull());
		assertThat(processor.batchSizes).containsExactly(1, 1, 2);
		assertThat(metrics.rows).containsExactly(1, 5, 7);
	}

	@Test
	void rejectsWhenQueueIsFullWithoutComputingTheJob() throws Exception {
		BlockingProcessor processor = new BlockingProcessor();
		RecordingMetrics metrics = new RecordingMetrics();
		DynamicBatcher<String, String> batcher = batcher(policy(1, 2), List.of(processor), metrics, Clock.systemUTC());
		CompletableFuture<String> running = batcher.submit("running", 1, FAR);
		processor.awaitBatchStarted();
		CompletableFuture<String> queued1 = batcher.submit("q1", 1, FAR);
		CompletableFuture<String> queued2 = batcher.submit("q2", 1, FAR);
		CompletableFuture<String> refused = batcher.submit("refused", 1, FAR);
		assertThat(refused).isCompletedExceptionally();
		assertThatThrownBy(refused::join).hasCauseInstanceOf(QueueFullException.class);
		assertThat(((QueueFullException) failure(refused)).retryAfter()).isPositive();
		assertThat(batcher.queueDepth()).isEqualTo(2);
		processor.release();
		assertThat(running.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("RUNNING");
		assertThat(queued1.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("Q1");
		assertThat(queued2.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("Q2");
		assertThat(processor.seen).doesNotContain("refused");
		assertThat(metrics.rejections).containsExactly(BatchMetrics.RejectionReason.QUEUE_FULL);
	}

	@Test
	void refusesUpFrontOnlyWhileTheQueueIsFull() throws Exception {
		BlockingProcessor processor = new BlockingProcessor();
		RecordingMetrics metrics = new RecordingMetrics();
		DynamicBatcher<String, String> batcher = batcher(policy(1, 1), List.of(processor), metrics, Clock.systemUTC());
		CompletableFuture<String> running = batcher.submit("running", 1, FAR);
		processor.awaitBatchStarted();
		batcher.refuseIfFull();
		CompletableFuture<String> queued = batcher.submit("queued", 1, FAR);
		assertThatThrownBy(batcher::refuseIfFull).isInstanceOf(QueueFullException.class);
		assertThat(metrics.rejections).containsExactly(BatchMetrics.RejectionReason.QUEUE_FULL);
		processor.release();
		assertThat(running.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("RUNNING");
		assertThat(queued.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("QUEUED");
		batcher.refuseIfFull();
	}

	@Test
	void failsJobsPastTheirDeadlineAndNeverComputesThem() throws Exception {
		MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
		BlockingProcessor processor = new BlockingProcessor();
		RecordingMetrics metrics = new RecordingMetrics();
		DynamicBatcher<String, String> batcher = batcher(policy(8, 100), List.of(processor), metrics, clock);
		CompletableFuture<String> running = batcher.submit("running", 1, clock.instant().plusSeconds(10));
		processor.awaitBatchStarted();
		CompletableFuture<String> late = batcher.submit("late", 1, clock.instant().plusSeconds(1));
		CompletableFuture<String> onTime = batcher.submit("on-time", 1, clock.instant().plusSeconds(60));
		clock.advance(Duration.ofSeconds(5));
		processor.release();
		assertThat(running.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("RUNNING");
		assertThat(onTime.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("ON-TIME");
		assertThat(failure(late)).isInstanceOf(DeadlineExceededException.class);
		assertThat(processor.seen).containsExactly("running", "on-time");
		assertThat(metrics.rejections).containsExactly(BatchMetrics.RejectionReason.DEADLINE_EXCEEDED);
	}

	@Test
	void aFailingRunFailsOnlyItsOwnBatch() throws Exception {
		BlockingProcessor gate = new BlockingProcessor();
		BatchProcessor<String, String> processor = (inputs) -> {
			if (inputs.contains("poison")) {
				throw new IllegalStateException("model run failed");
			}
			return gate.process(inputs);
		};
		DynamicBatcher<String, String> batcher = batcher(policy(2, 100), List.of(processor), BatchMetrics.NONE,
				Clock.systemUTC());
		CompletableFuture<String> first = batcher.submit("first", 1, FAR);
		gate.awaitBatchStarted();
		CompletableFuture<String> poison = batcher.submit("poison", 1, FAR);
		CompletableFuture<String> sameBatch = batcher.submit("same-batch", 1, FAR);
		CompletableFuture<String> nextBatch = batcher.submit("next-batch", 1, FAR);
		gate.release();
		assertThat(first.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("FIRST");
		assertThat(failure(poison)).hasMessage("model run failed");
		assertThat(failure(sameBatch)).hasMessage("model run failed");
		assertThat(nextBatch.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("NEXT-BATCH");
	}

	@Test
	void skipsJobsWhoseCallerCancelled() throws Exception {
		BlockingProcessor processor = new BlockingProcessor();
		RecordingMetrics metrics = new RecordingMetrics();
		DynamicBatcher<String, String> batcher = batcher(policy(8, 100), List.of(processor), metrics,
				Clock.systemUTC());
		CompletableFuture<String> first = batcher.submit("first", 1, FAR);
		processor.awaitBatchStarted();
		batcher.submit("abandoned", 1, FAR).cancel(false);
		CompletableFuture<String> kept = batcher.submit("kept", 1, FAR);
		processor.release();
		assertThat(first.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("FIRST");
		assertThat(kept.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("KEPT");
		assertThat(processor.seen).containsExactly("first", "kept");
		assertThat(metrics.rejections).containsExactly(BatchMetrics.RejectionReason.CANCELLED);
	}

	@Test
	void waitsUpToTheQueueDelayForMoreJobsWhenOneIsConfigured() throws Exception {
		List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
		BatchProcessor<Integer, Integer> echo = (inputs) -> {
			sizes.add(inputs.size());
			return inputs;
		};
		// A long delay that a full batch cuts short: the assertion is on the batch, never
		// on elapsed time.
		DynamicBatcher<Integer, Integer> batcher = batcher(new BatchPolicy(4, Duration.ofMinutes(5), 100),
				List.of(echo), BatchMetrics.NONE, Clock.systemUTC());
		List<CompletableFuture<Integer>> results = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			results.add(batcher.submit(i, 1, FAR));
		}
		for (CompletableFuture<Integer> result : results) {
			result.get(WAIT_SECONDS, TimeUnit.SECONDS);
		}
		assertThat(sizes).containsExactly(4);
	}

	@Test
	void drainsAcceptedJobsOnCloseAndRefusesNewOnes() throws Exception {
		BlockingProcessor processor = new BlockingProcessor();
		DynamicBatcher<String, String> batcher = new DynamicBatcher<>("test", policy(1, 100), List.of(processor),
				BatchMetrics.NONE, Clock.systemUTC());
		CompletableFuture<String> running = batcher.submit("running", 1, FAR);
		processor.awaitBatchStarted();
		CompletableFuture<String> queued = batcher.submit("queued", 1, FAR);
		CompletableFuture<Void> closing = CompletableFuture
			.runAsync(() -> batcher.close(Duration.ofSeconds(WAIT_SECONDS)));
		processor.release();
		closing.get(WAIT_SECONDS, TimeUnit.SECONDS);
		assertThat(running.get()).isEqualTo("RUNNING");
		assertThat(queued.get()).isEqualTo("QUEUED");
		assertThat(failure(batcher.submit("late", 1, FAR))).isInstanceOf(BatcherClosedException.class);
	}

	@Test
	void refusesAJobLargerThanTheMaximumBatch() {
		DynamicBatcher<String, String> batcher = batcher(policy(4, 10), List.of((inputs) -> inputs), BatchMetrics.NONE,
				Clock.systemUTC());
		assertThatThrownBy(() -> batcher.submit("big", 5, FAR)).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("1 to 4 rows");
	}

	@Test
	void policyRejectsNonsense() {
		assertThatThrownBy(() -> new BatchPolicy(0, Duration.ZERO, 1)).hasMessageContaining("maxBatchSize");
		assertThatThrownBy(() -> new BatchPolicy(1, Duration.ofMillis(-1), 1)).hasMessageContaining("maxQueueDelay");
		assertThatThrownBy(() -> new BatchPolicy(1, Duration.ZERO, 0)).hasMessageContaining("queueCapacity");
	}

	private static Throwable failure(CompletableFuture<?> future) throws InterruptedException {
		try {
			future.get(WAIT_SECONDS, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			return ex.getCause();
		}
		catch (java.util.concurrent.TimeoutException ex) {
			throw new AssertionError("the future did not complete", ex);
		}
		throw new AssertionError("the future succeeded");
	}

	/**
	 * Upper-cases its inputs; the first batch blocks until released, so tests control
	 * what queues behind it.
	 */
	private static final class BlockingProcessor implements BatchProcessor<String, String> {

		final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());

		final List<String> seen = Collections.synchronizedList(new ArrayList<>());

		private final CountDownLatch started = new CountDownLatch(1);

		private final CountDownLatch released = new CountDownLatch(1);

		@Override
		public List<String> process(List<String> inputs) throws InterruptedException {
			this.batchSizes.add(inputs.size());
			this.seen.addAll(inputs);
			this.started.countDown();
			if (!this.released.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
				throw new IllegalStateException("never released");
			}
			return inputs.stream().map(String::toUpperCase).toList();
		}

		void awaitBatchStarted() throws InterruptedException {
			assertThat(this.started.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
		}

		void release() {
			this.released.countDown();
		}

	}

	private static final class RecordingMetrics implements BatchMetrics {

		final List<Integer> rows = Collections.synchronizedList(new ArrayList<>());

		final List<RejectionReason> rejections = Collections.synchronizedList(new ArrayList<>());

		@Override
		public void batchSize(int rows) {
			this.rows.add(rows);
		}

		@Override
		public void rejected(RejectionReason reason) {
			this.rejections.add(reason);
		}

	}

	private static final class MutableClock extends Clock {

		private final AtomicReference<Instant> now;

		MutableClock(Instant start) {
			this.now = new AtomicReference<>(start);
		}

		void advance(Duration duration) {
			this.now.updateAndGet((instant) -> instant.plus(duration));
		}

		@Override
		public Instant instant() {
			return this.now.get();
		}

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

}
