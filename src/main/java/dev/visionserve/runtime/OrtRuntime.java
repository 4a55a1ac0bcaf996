package dev.visionserve.runtime;

import java.util.concurrent.atomic.AtomicReference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;

/**
 * Holds the one {@link OrtEnvironment} of the JVM. Creating it loads ONNX Runtime's
 * native library, so it is built by a bean at startup (where a failure is reported)
 * rather than in a static initializer. Thread-safe; lives as long as the application.
 */
public final class OrtRuntime {

	/**
	 * Native initialisation needs more stack than a default 1 MB Java thread has when the
	 * class path is long (as under {@code mvn spring-boot:run}): it crashed the JVM with
	 * SIGSEGV at 2 MB and passed at 4 MB. So the environment is created on a thread of
	 * its own with ample stack rather than on whatever thread first asks for it.
	 */
	private static final long INIT_STACK_BYTES = 32L * 1024 * 1024;

	private final OrtEnvironment environment;

	public OrtRuntime() {
		AtomicReference<Object> created = new AtomicReference<>();
		Thread init = new Thread(null, () -> {
			try {
				created.set(OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "visionserve"));
			}
			catch (Throwable ex) {
				created.set(ex);
			}
		}, "onnxruntime-init", INIT_STACK_BYTES);
		init.start();
		try {
			init.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while starting ONNX Runtime", ex);
		}
		if (created.get() instanceof OrtEnvironment environment) {
			this.environment = environment;
		}
		else {
			throw new IllegalStateException("ONNX Runtime could not start", (Throwable) created.get());
		}
	}

	public OrtEnvironment environment() {
		return this.environment;
	}

	/**
	 * @return the execution providers this ONNX Runtime build contains, e.g.
	 * {@code [CPU]} or {@code [CPU, CUDA]}
	 */
	public String availableProviders() {
		return OrtEnvironment.getAvailableProviders().toString();
	}

}
