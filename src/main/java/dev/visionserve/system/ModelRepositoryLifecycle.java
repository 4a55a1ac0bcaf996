package dev.visionserve.system;

import org.springframework.context.SmartLifecycle;

import dev.visionserve.runtime.ModelRepository;

/**
 * Loads the model repository on its own thread once the application has started, so the
 * HTTP port (and liveness) are up while models load and warm up, and readiness turns UP
 * only when every model is warm. On shutdown it drains every model's queue and closes the
 * sessions after the web server has finished its graceful shutdown, so requests in flight
 * still find their model.
 */
class ModelRepositoryLifecycle implements SmartLifecycle {

	private final ModelRepository repository;

	private volatile Thread loader;

	private volatile boolean running;

	ModelRepositoryLifecycle(ModelRepository repository) {
		this.repository = repository;
	}

	@Override
	public void start() {
		Thread thread = new Thread(this.repository::loadAll, "model-loader");
		thread.setDaemon(true);
		this.loader = thread;
		this.running = true;
		thread.start();
	}

	@Override
	public void stop() {
		this.running = false;
		this.repository.close();
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
