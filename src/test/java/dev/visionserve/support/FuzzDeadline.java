package dev.visionserve.support;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one fuzz input with a time limit, so a hang is a finding in fuzzing and in
 * regression runs alike. JUnit's {@code @Timeout} cannot do this: while fuzzing it limits
 * the whole fuzzing run, which is one test invocation. The work runs on a pooled daemon
 * thread (coverage is recorded globally, so the fuzzer still sees it); a hung thread is
 * interrupted and abandoned. Thread-safe; lives as long as the test JVM.
 */
public final class FuzzDeadline {

	/**
	 * Far above what one legitimate input costs here (milliseconds; the fuzz runs do
	 * hundreds to thousands per second), far below libFuzzer's own 20-minute default.
	 */
	public static final Duration LIMIT = Duration.ofSeconds(10);

	private static final ExecutorService WORKERS = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "fuzz-input");
		thread.setDaemon(true);
		return thread;
	});

	private FuzzDeadline() {
	}

	/**
	 * @return what the work returned
	 * @throws AssertionError when the work takes longer than {@link #LIMIT}
	 * @throws Exception whatever the work threw, unwrapped
	 */
	public static <T> T within(Callable<T> work) throws Exception {
		Future<T> result = WORKERS.submit(work);
		try {
			return result.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			result.cancel(true);
			throw new AssertionError("One input took longer than " + LIMIT + ": a hang");
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof Exception exception) {
				throw exception;
			}
			throw (Error) cause;
		}
	}

}
