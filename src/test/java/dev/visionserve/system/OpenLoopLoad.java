package dev.visionserve.system;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A load generator on loopback, in the test's own JVM: a closed loop to measure capacity,
 * and an open loop that offers a fixed rate whatever the server does (a request is sent
 * on schedule, not when the previous one answered), with a bounded number of client
 * threads and of requests in flight. Thread-safe; one instance per test.
 */
final class OpenLoopLoad implements AutoCloseable {

	static final String THREAD_PREFIX = "overload-client-";

	private final AtomicInteger threads = new AtomicInteger();

	private final ExecutorService executor = Executors.newFixedThreadPool(4, (task) -> {
		Thread thread = new Thread(task, THREAD_PREFIX + this.threads.incrementAndGet());
		thread.setDaemon(true);
		return thread;
	});

	private final HttpClient client = HttpClient.newBuilder()
		.executor(this.executor)
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(10))
		.build();

	/**
	 * Closed loop: {@code callers} clients, each sending its next request when its last
	 * one answered.
	 * @return answers with status 200 per second
	 */
	double capacity(HttpRequest request, int callers, Duration duration) throws InterruptedException {
		LongAdder ok = new LongAdder();
		long end = System.nanoTime() + duration.toNanos();
		long start = System.nanoTime();
		AtomicInteger running = new AtomicInteger(callers);
		for (int i = 0; i < callers; i++) {
			loop(request, end, ok, running);
		}
		while (running.get() > 0) {
			Thread.sleep(10);
		}
		return ok.sum() / ((System.nanoTime() - start) / 1e9);
	}

	private void loop(HttpRequest request, long end, LongAdder ok, AtomicInteger running) {
		if (System.nanoTime() >= end) {
			running.decrementAndGet();
			return;
		}
		this.client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
			if (response != null && response.statusCode() == 200) {
				ok.increment();
			}
			loop(request, end, ok, running);
		});
	}

	/**
	 * Open loop: sends {@code request} every {@code 1/rate} seconds for the duration; a
	 * request whose turn comes while {@code maxInFlight} are unanswered is counted as not
	 * sent rather than delayed, so the schedule never bends to the server.
	 */
	Result offer(HttpRequest request, double rate, Duration duration, int maxInFlight) throws InterruptedException {
		Result result = new Result((int) Math.min(50_000_000, rate * duration.toSeconds() * 1.2 + 1024));
		AtomicInteger inFlight = new AtomicInteger();
		long period = (long) (1e9 / rate);
		long start = System.nanoTime();
		long end = start + duration.toNanos();
		long cpuBefore = clientCpuNanos();
		for (long next = start; next < end; next += period) {
			long wait = next - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
			}
			if (inFlight.get() >= maxInFlight) {
				result.notSent.increment();
				continue;
			}
			inFlight.incrementAndGet();
			result.sent.increment();
			long sentAt = System.nanoTime();
			this.client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
				result.record(response, failure, System.nanoTime() - sentAt);
				inFlight.decrementAndGet();
			});
		}
		result.offerNanos = System.nanoTime() - start;
		long drainUntil = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		while (inFlight.get() > 0 && System.nanoTime() < drainUntil) {
			Thread.sleep(10);
		}
		result.unanswered = inFlight.get();
		result.clientCpuNanos = clientCpuNanos() - cpuBefore;
		return result;
	}

	/**
	 * CPU time of the load generator's threads: the client's executor and the HTTP
	 * client's selector thread. The scheduling loop runs on the test thread and is
	 * counted too.
	 */
	static long clientCpuNanos() {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		long total = 0;
		for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
			if (info != null
					&& (info.getThreadName().startsWith(THREAD_PREFIX) || info.getThreadName().startsWith("HttpClient-")
							|| info.getThreadId() == Thread.currentThread().getId())) {
				total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
			}
		}
		return total;
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

	/** What an open-loop run saw. Thread-safe while it is being filled. */
	static final class Result {

		final LongAdder sent = new LongAdder();

		final LongAdder notSent = new LongAdder();

		final LongAdder admitted = new LongAdder();

		final LongAdder rejected = new LongAdder();

		/** 429s that lacked Retry-After or the QUEUE_FULL code. */
		final LongAdder badRejections = new LongAdder();

		final LongAdder deadlineExceeded = new LongAdder();

		final LongAdder failedToConnect = new LongAdder();

		final Map<Integer, LongAdder> otherStatuses = new ConcurrentHashMap<>();

		private final long[] admittedNanos;

		private final long[] rejectedNanos;

		private final AtomicInteger admittedCount = new AtomicInteger();

		private final AtomicInteger rejectedCount = new AtomicInteger();

		final AtomicLong maxAdmittedNanos = new AtomicLong();

		long offerNanos;

		int unanswered;

		long clientCpuNanos;

		Result(int capacity) {
			this.admittedNanos = new long[capacity];
			this.rejectedNanos = new long[capacity];
		}

		void record(HttpResponse<String> response, Throwable failure, long nanos) {
			if (response == null) {
				this.failedToConnect.increment();
				return;
			}
			switch (response.statusCode()) {
				case 200 -> {
					this.admitted.increment();
					store(this.admittedNanos, this.admittedCount, nanos);
					this.maxAdmittedNanos.accumulateAndGet(nanos, Math::max);
				}
				case 429 -> {
					this.rejected.increment();
					store(this.rejectedNanos, this.rejectedCount, nanos);
					if (response.headers().firstValue("Retry-After").isEmpty()
							|| !response.body().contains("\"QUEUE_FULL\"")) {
						this.badRejections.increment();
					}
				}
				case 503 -> {
					if (response.body().contains("\"DEADLINE_EXCEEDED\"")) {
						this.deadlineExceeded.increment();
					}
					else {
						this.otherStatuses.computeIfAbsent(503, (status) -> new LongAdder()).increment();
					}
				}
				default ->
					this.otherStatuses.computeIfAbsent(response.statusCode(), (status) -> new LongAdder()).increment();
			}
		}

		private static void store(long[] into, AtomicInteger count, long nanos) {
			int index = count.getAndIncrement();
			if (index < into.length) {
				into[index] = nanos;
			}
		}

		double offeredRate() {
			return (this.sent.sum() + this.notSent.sum()) / (this.offerNanos / 1e9);
		}

		double sentRate() {
			return this.sent.sum() / (this.offerNanos / 1e9);
		}

		double admittedP99Millis() {
			return p99(this.admittedNanos, this.admittedCount.get());
		}

		double rejectedP99Millis() {
			return p99(this.rejectedNanos, this.rejectedCount.get());
		}

		private static double p99(long[] values, int count) {
			int n = Math.min(count, values.length);
			if (n == 0) {
				return 0;
			}
			long[] sorted = Arrays.copyOf(values, n);
			Arrays.sort(sorted);
			return sorted[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)] / 1e6;
		}

	}

}
