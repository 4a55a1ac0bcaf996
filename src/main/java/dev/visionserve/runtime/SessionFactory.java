package dev.visionserve.runtime;

import java.nio.file.Path;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Opens sessions with the execution provider for their device. When CUDA cannot be added
 * (a CPU-only build, no driver, missing CUDA libraries) the session falls back to the CPU
 * with a warning naming the cause, unless GPUs are required, in which case loading fails
 * with that cause. Thread-safe: every call builds its own {@link SessionOptions}, which
 * are never shared.
 */
public final class SessionFactory {

	private static final Log logger = LogFactory.getLog(SessionFactory.class);

	private final OrtRuntime runtime;

	private final boolean requireGpu;

	public SessionFactory(OrtRuntime runtime, boolean requireGpu) {
		this.runtime = runtime;
		this.requireGpu = requireGpu;
	}

	/**
	 * @param modelFile the ONNX file
	 * @param device where the session should run
	 * @param intraOpThreads threads for one run on the CPU
	 * @param modelName for messages
	 * @return the open session; the caller closes it
	 */
	public ModelSession open(Path modelFile, Device device, int intraOpThreads, String modelName)
			throws ModelLoadException {
		try (SessionOptions options = new SessionOptions()) {
			options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
			options.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
			options.setIntraOpNumThreads(intraOpThreads);
			options.setInterOpNumThreads(1);
			Device actual = addExecutionProvider(options, device, modelName);
			OrtSession session = this.runtime.environment().createSession(modelFile.toString(), options);
			return new ModelSession(session, device, actual, intraOpThreads);
		}
		catch (OrtException ex) {
			throw new ModelLoadException("ONNX Runtime could not open " + modelFile.getFileName() + " on " + device
					+ ": " + withoutPath(ex.getMessage(), modelFile), ex);
		}
	}

	/**
	 * ONNX Runtime names the file by its absolute path; the reason reaches clients, who
	 * need the file name, not the server's folder layout.
	 */
	static String withoutPath(String message, Path modelFile) {
		if (message == null) {
			return "no detail";
		}
		String name = modelFile.getFileName().toString();
		return message.replace(modelFile.toAbsolutePath().toString(), name).replace(modelFile.toString(), name);
	}

	private Device addExecutionProvider(SessionOptions options, Device device, String modelName)
			throws ModelLoadException {
		if (!device.isGpu()) {
			return Device.CPU;
		}
		try {
			options.addCUDA(device.index());
			return device;
		}
		catch (OrtException | RuntimeException | UnsatisfiedLinkError ex) {
			String cause = "CUDA execution provider for " + device + " unavailable (" + ex.getMessage()
					+ "); available providers: " + this.runtime.availableProviders();
			if (this.requireGpu) {
				throw new ModelLoadException(cause + "; visionserve.require-gpu=true forbids falling back to the CPU",
						ex);
			}
			logger.warn("Model '" + modelName + "': " + cause + "; falling back to the CPU");
			return Device.CPU;
		}
	}

}
