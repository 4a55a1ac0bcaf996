package dev.visionserve.system;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import dev.visionserve.generate.GenerationService;
import dev.visionserve.runtime.ModelRepository;
import dev.visionserve.web.DrainingFilter;

/**
 * The first thing a closing application does (readiness has just turned DOWN): new
 * requests get 503 {@code SHUTTING_DOWN} while those already accepted run to completion
 * for up to {@code visionserve.shutdown.drain-timeout}. What is still running then fails
 * with 503 {@code SHUTTING_DOWN} (a stream ends with an {@code error} event), so every
 * accepted request gets a whole answer before the web server stops and, later, the
 * sessions close.
 */
class DrainOnShutdown implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(DrainOnShutdown.class);

	/**
	 * How long answers to the failed work may take to be written once it has been failed;
	 * a write to a client that stopped reading may hold up to this.
	 */
	private static final Duration ANSWER_GRACE = Duration.ofSeconds(5);

	private final DrainingFilter requests;

	private final GenerationService generation;

	private final ModelRepository repository;

	private final Duration drainTimeout;

	private volatile boolean running;

	DrainOnShutdown(DrainingFilter requests, GenerationService generation, ModelRepository repository,
			Duration drainTimeout) {
		this.requests = requests;
		this.generation = generation;
		this.repository = repository;
		this.drainTimeout = drainTimeout;
	}

	/**
	 * Refuses new requests the moment readiness turns DOWN (Spring Boot says so first
	 * thing when the context closes, before any lifecycle stops), so that no request
	 * slips in between a probe seeing DOWN and the drain; ordered before the listener
	 * that updates what the probe reports.
	 */
	@EventListener
	@Order(Ordered.HIGHEST_PRECEDENCE)
	void onReadiness(AvailabilityChangeEvent<ReadinessState> event) {
		if (event.getState() == ReadinessState.REFUSING_TRAFFIC) {
			this.requests.startDraining();
		}
	}

	@Override
	public void start() {
		this.requests.stopDraining();
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.requests.startDraining();
		int accepted = this.requests.inFlight();
		long start = System.nanoTime();
		try {
			if (accepted > 0) {
				logger.info("Shutting down: answering " + accepted + " requests in flight for up to "
						+ this.drainTimeout.toSeconds() + " s; new requests get 503 SHUTTING_DOWN");
			}
			if (!this.requests.awaitIdle(this.drainTimeout)) {
				logger.warn(this.requests.inFlight() + " requests did not finish within the drain time of "
						+ this.drainTimeout.toSeconds() + " s (visionserve.shutdown.drain-timeout); answering them "
						+ "503 SHUTTING_DOWN");
				this.generation.abort();
				this.repository.stopAccepting();
				if (!this.requests.awaitIdle(ANSWER_GRACE)) {
					logger.error(this.requests.inFlight() + " requests are still unanswered after "
							+ ANSWER_GRACE.toSeconds() + " s more; their connections close with the server");
				}
			}
			if (accepted > 0) {
				logger.info("Drained in " + (System.nanoTime() - start) / 1_000_000 + " ms");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stopped before the web server's graceful shutdown, which stops accepting. */
	@Override
	public int getPhase() {
		return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;
	}

}
