package dev.visionserve.web;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.visionserve.metrics.ResponseCompletion;

/**
 * Counts the requests in flight, from the first byte to the end of their (possibly
 * asynchronous) response, and once {@link #startDraining() draining} has begun answers
 * every new one with 503 {@code SHUTTING_DOWN} and {@code Retry-After}, so that a
 * terminating pod keeps its port open, finishes what it accepted and tells latecomers to
 * go elsewhere instead of refusing their connection. Probes and scrapes
 * ({@code /actuator/**}) pass untouched: readiness must be able to say DOWN and
 * Prometheus to watch the drain.
 *
 * <p>
 * Thread-safe; one instance for the application's lifetime.
 */
public final class DrainingFilter extends OncePerRequestFilter {

	private final AtomicInteger inFlight = new AtomicInteger();

	private final Object idle = new Object();

	private volatile boolean draining;

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return request.getRequestURI().startsWith("/actuator/");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		// Count first, then look at the flag: the drainer sets the flag, then reads the
		// count, so one of the two always sees the other.
		this.inFlight.incrementAndGet();
		if (this.draining) {
			done();
			refuse(request, response);
			return;
		}
		ResponseCompletion.proceedThen(request, response, chain, this::done);
	}

	private void done() {
		if (this.inFlight.decrementAndGet() == 0 && this.draining) {
			synchronized (this.idle) {
				this.idle.notifyAll();
			}
		}
	}

	private static void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
		response.setHeader(HttpHeaders.RETRY_AFTER, ProblemResponses.RETRY_ELSEWHERE_SECONDS);
		response.setHeader(HttpHeaders.CONNECTION, "close");
		ProblemBodies.write(request, response, ErrorCode.SHUTTING_DOWN,
				"The service is shutting down and accepts no new requests; retry on another replica");
	}

	/** From now on, new requests are refused; those in flight go on. */
	public void startDraining() {
		this.draining = true;
	}

	/** Accepts requests again (a paused context that is started again). */
	public void stopDraining() {
		this.draining = false;
	}

	/**
	 * @return requests accepted and not yet answered
	 */
	public int inFlight() {
		return this.inFlight.get();
	}

	/**
	 * Waits until every accepted request has been answered.
	 * @return whether that happened within the timeout
	 */
	public boolean awaitIdle(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.idle) {
			while (this.inFlight.get() > 0) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				TimeUnit.NANOSECONDS.timedWait(this.idle, remaining);
			}
		}
		return true;
	}

}
