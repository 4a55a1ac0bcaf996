package dev.visionserve.system;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import dev.visionserve.classify.ClassificationService;
import dev.visionserve.classify.ClassifierSupport;
import dev.visionserve.classify.ClassifyLimits;
import dev.visionserve.generate.DenoiserSupport;
import dev.visionserve.generate.GenerationService;
import dev.visionserve.metrics.RequestMetricsFilter;
import dev.visionserve.runtime.ModelKindSupport;
import dev.visionserve.runtime.ModelLoader;
import dev.visionserve.runtime.ModelRepository;
import dev.visionserve.runtime.OrtRuntime;
import dev.visionserve.runtime.SessionFactory;
import dev.visionserve.web.DrainingFilter;

/**
 * Wires the inference core (ONNX Runtime, the model repository and its loader) and the
 * features on top of it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(VisionServeProperties.class)
class InferenceConfiguration {

	@Bean
	OrtRuntime ortRuntime() {
		return new OrtRuntime();
	}

	@Bean
	ClassifierSupport classifierSupport() {
		return new ClassifierSupport();
	}

	/**
	 * Closed by {@link ModelRepositoryLifecycle}, after the features that use it, not by
	 * the container.
	 */
	@Bean(destroyMethod = "")
	ModelRepository modelRepository(VisionServeProperties properties, OrtRuntime runtime, MeterRegistry registry,
			List<ModelKindSupport> kinds) {
		SessionFactory sessions = new SessionFactory(runtime, properties.requireGpu());
		ModelLoader loader = new ModelLoader(runtime, sessions, registry, kinds, properties.effectiveCpuCores());
		return new ModelRepository(properties.modelRepository(), loader);
	}

	@Bean
	DenoiserSupport denoiserSupport() {
		return new DenoiserSupport();
	}

	/** Closed by {@link ModelRepositoryLifecycle}, before the models it runs on. */
	@Bean(destroyMethod = "")
	GenerationService generationService(ModelRepository repository, MeterRegistry registry,
			VisionServeProperties properties) {
		return new GenerationService(repository, registry, properties.defaultDenoiser(),
				properties.limits().maxGenerationWork(), properties.limits().maxImagePixels());
	}

	@Bean
	ModelRepositoryLifecycle modelRepositoryLifecycle(ModelRepository repository, GenerationService generation) {
		return new ModelRepositoryLifecycle(repository, generation);
	}

	@Bean
	DrainingFilter drainingFilter() {
		return new DrainingFilter();
	}

	/** After the metrics filter, so that refusals while draining are counted too. */
	@Bean
	FilterRegistrationBean<DrainingFilter> drainingFilterRegistration(DrainingFilter filter) {
		FilterRegistrationBean<DrainingFilter> registration = new FilterRegistrationBean<>(filter);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
		return registration;
	}

	@Bean
	DrainOnShutdown drainOnShutdown(DrainingFilter filter, GenerationService generation, ModelRepository repository,
			VisionServeProperties properties) {
		return new DrainOnShutdown(filter, generation, repository, properties.shutdown().drainTimeout());
	}

	@Bean
	ModelsHealthIndicator modelsHealthIndicator(ModelRepository repository, VisionServeProperties properties) {
		return new ModelsHealthIndicator(repository, properties.defaultModels());
	}

	@Bean
	ClassificationService classificationService(ModelRepository repository, VisionServeProperties properties) {
		VisionServeProperties.Limits limits = properties.limits();
		return new ClassificationService(repository,
				new ClassifyLimits(limits.maxImagesPerRequest(), limits.maxImagePixels(), limits.maxBodyBytes()),
				properties.defaultClassifier());
	}

	@Bean
	MultipartLimitsCustomizer multipartLimitsCustomizer(VisionServeProperties properties) {
		return new MultipartLimitsCustomizer(properties.limits().maxImagesPerRequest());
	}

	@Bean
	ProblemErrorValveCustomizer problemErrorValveCustomizer() {
		return new ProblemErrorValveCustomizer();
	}

	@Bean
	FilterRegistrationBean<RequestMetricsFilter> requestMetricsFilter(MeterRegistry registry) {
		FilterRegistrationBean<RequestMetricsFilter> registration = new FilterRegistrationBean<>(
				new RequestMetricsFilter(registry));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}

}
