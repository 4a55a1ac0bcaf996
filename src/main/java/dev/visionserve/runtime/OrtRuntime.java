package dev.visionserve.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;

/**
 * Holds the one {@link OrtEnvironment} of the JVM. Creating it loads ONNX Runtime's
 * native library, so it is built by a bean at startup (where a failure is reported)
 * rather than in a static initializer. Thread-safe; lives as long as the application.
 */
public final class OrtRuntime {

	private final OrtEnvironment environment;

	public OrtRuntime() {
		this.environment = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "visionserve");
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
