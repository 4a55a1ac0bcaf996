package dev.visionserve.system;

import java.lang.management.ManagementFactory;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

import dev.visionserve.runtime.ModelRepository;
import dev.visionserve.runtime.ModelStatus;

/**
 * Loads the model repository on its own thread once the application has started, so the
 * HTTP port (and liveness) are up while models load and warm up, and readiness turns UP
 * only when every model is warm. On shutdown it drains every model's queue and closes the
 * sessions after the web server has finished its graceful shutdown, so requests in flight
 * still find their model.
 */
class ModelRepositoryLifecycle implements SmartLifecycle, DisposableBean {

	private static final Log logger = LogFactory.getLog(ModelRepositoryLifecycle.class);

	/**
	 * How long shutdown waits for a model that is being loaded to finish and be closed.
	 */
	private static final long LOADER_JOIN_MILLIS = 60_000;

	private final ModelRepository repository;

	private final AutoCloseable features;

	private volatile Thread loader;

	private volatile boolean running;

	/**
	 * @param repository the models
	 * @param features what runs on the models and must stop before they close (the
	 * diffusion loops)
	 */
	ModelRepositoryLifecycle(ModelRepository repository, AutoCloseable features) {
		this.repository = repository;
		this.features = features;
	}

	/**
	 * Starts loading once; a later start (a test context resumed after a pause) finds the
	 * models loaded.
	 */
	@Override
	public void start() {
		this.running = true;
		if (this.loader != null) {
			return;
		}
		Thread thread = new Thread(this::load, "model-loader");
		thread.setDaemon(true);
		this.loader = thread;
		thread.start();
	}

	private void load() {
		long start = System.nanoTime();
		this.repository.loadAll();
		long ready = this.repository.statuses()
			.stream()
			.filter((status) -> status.state() == ModelStatus.State.READY)
			.count();
		String summary = ready + " of " + this.repository.statuses().size() + " models ready in "
				+ (System.nanoTime() - start) / 1_000_000 + " ms, " + ManagementFactory.getRuntimeMXBean().getUptime()
				+ " ms after JVM start";
		if (this.repository.allReady()) {
			logger.info("Model repository loaded: " + summary);
		}
		else {
			logger
				.warn("Model repository loaded with problems (readiness stays DOWN; see /actuator/health): " + summary);
		}
	}

	/**
	 * Nothing to stop: a stopped context may be started again (Spring pauses cached test
	 * contexts), so the models stay loaded until {@link #destroy()}.
	 */
	@Override
	public void stop() {
		this.running = false;
	}

	/**
	 * Drains the features and the models' queues and closes the sessions, after the web
	 * server has stopped. Waits for a warm-up still running: the JVM must not exit in the
	 * middle of a native ONNX Runtime call.
	 */
	@Override
	public void destroy() throws InterruptedException {
		try {
			this.features.close();
		}
		catch (Exception ex) {
			logger.warn("Stopping the features failed", ex);
		}
		this.repository.close();
		Thread thread = this.loader;
		if (thread != null) {
			thread.join(LOADER_JOIN_MILLIS);
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Below the web server's phases: started before it, stopped after its graceful
	 * shutdown.
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 4096;
	}

}
