package dev.visionserve.system;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import sun.misc.Signal;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Turns SIGTERM and SIGINT into an orderly close of the application context
 * <em>before</em> the JVM's shutdown hooks run, then exits with 128 + the signal's number
 * (143 for SIGTERM).
 *
 * <p>
 * Why not the JVM's default handling: it runs every shutdown hook at once, and ONNX
 * Runtime registers one that releases its native environment. That hook ran while the
 * context was still draining and a worker was inside {@code OrtSession.run}, and the
 * process died of SIGSEGV with requests unanswered. Here the context closes first
 * (draining requests, stopping the diffusion lanes, then the batchers, then the
 * sessions), and only then does the JVM exit and run the hooks, when no native call is
 * left.
 */
public final class OrderlyTermination {

	private static final Log logger = LogFactory.getLog(OrderlyTermination.class);

	private static final String[] SIGNALS = { "TERM", "INT" };

	private final AtomicReference<ConfigurableApplicationContext> context = new AtomicReference<>();

	private final AtomicBoolean terminating = new AtomicBoolean();

	private OrderlyTermination() {
	}

	/**
	 * Handles the signals for the context the application is about to create; call before
	 * {@link SpringApplication#run}.
	 */
	public static void install(SpringApplication application) {
		OrderlyTermination termination = new OrderlyTermination();
		application.addInitializers(termination.context::set);
		for (String name : SIGNALS) {
			Signal.handle(new Signal(name), termination::terminate);
		}
	}

	private void terminate(Signal signal) {
		if (!this.terminating.compareAndSet(false, true)) {
			logger.info("SIG" + signal.getName() + " received again; still shutting down");
			return;
		}
		// Not on the signal's own thread: closing takes as long as the drain. Not a
		// daemon
		// either (it would inherit that from the signal's thread): once the context has
		// stopped Tomcat's threads, a JVM left with only daemon threads exits by itself,
		// with 0, racing the exit code below (seen when closing the models took longer).
		Thread thread = new Thread(() -> closeAndExit(signal), "orderly-termination");
		thread.setDaemon(false);
		thread.start();
	}

	private void closeAndExit(Signal signal) {
		logger.info("SIG" + signal.getName() + " received: shutting down");
		ConfigurableApplicationContext context = this.context.get();
		try {
			if (context != null) {
				// Waits for a refresh in progress, then drains and closes.
				context.close();
			}
		}
		catch (RuntimeException ex) {
			logger.error("Closing the application failed", ex);
		}
		finally {
			Runtime.getRuntime().exit(128 + signal.getNumber());
		}
	}

}
