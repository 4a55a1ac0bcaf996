package dev.visionserve.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The {@code visionserve.*} settings; see {@code docs/configuration.md}.
 *
 * @param modelRepository the folder holding one sub-folder per model
 * @param defaultClassifier the classifier used when a request names none (blank: none,
 * requests must name one)
 * @param defaultDenoiser the denoiser used when a request names none (blank: none)
 * @param requireGpu fail startup when a model configured for CUDA cannot get it, instead
 * of falling back to the CPU
 * @param cpuCores cores ONNX Runtime may use in all (0: what the JVM sees), shared among
 * a model's CPU sessions
 * @param limits request size limits
 * @param shutdown how a terminating instance drains
 */
@Validated
@ConfigurationProperties("visionserve")
public record VisionServeProperties(@NotNull @DefaultValue("models") Path modelRepository,
		@DefaultValue("fashion-resnet") String defaultClassifier, @DefaultValue("fashion-ddpm") String defaultDenoiser,
		@DefaultValue("false") boolean requireGpu, @Min(0) @DefaultValue("0") int cpuCores,
		@Valid @DefaultValue Limits limits, @Valid @DefaultValue Shutdown shutdown) {

	/**
	 * @return the default models that are configured; readiness needs each of them
	 */
	public List<String> defaultModels() {
		return Stream.of(this.defaultClassifier, this.defaultDenoiser)
			.filter((name) -> name != null && !name.isBlank())
			.toList();
	}

	public int effectiveCpuCores() {
		return (this.cpuCores > 0) ? this.cpuCores : Runtime.getRuntime().availableProcessors();
	}

	/**
	 * @param maxImagesPerRequest images in one /classify request
	 * @param maxImagePixels width × height of one image, checked before it is decoded
	 * @param maxBodyBytes bytes of a raw image body
	 * @param maxGenerationWork count × steps of one /generate request (denoiser rows it
	 * runs, without guidance)
	 */
	public record Limits(@Min(1) @Max(4096) @DefaultValue("64") int maxImagesPerRequest,
			@Min(1) @DefaultValue("16777216") long maxImagePixels, @Min(1) @DefaultValue("20971520") long maxBodyBytes,
			@Min(1) @DefaultValue("16000") long maxGenerationWork) {

	}

	/**
	 * @param drainTimeout how long a terminating instance keeps answering the requests it
	 * accepted before it fails the rest with 503 {@code SHUTTING_DOWN}; with the Helm
	 * chart's preStop delay and a few seconds to close, it must fit the pod's
	 * {@code terminationGracePeriodSeconds} (the chart derives it so)
	 */
	public record Shutdown(@DefaultValue("45s") Duration drainTimeout) {

	}

}
