package dev.visionserve.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;

import org.springframework.boot.info.BuildProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's title and description, shown at the top of Swagger UI.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	@Bean
	OpenAPI visionServeOpenApi(ObjectProvider<BuildProperties> build) {
		String version = build.getIfAvailable(() -> null) != null ? build.getObject().getVersion() : "dev";
		return new OpenAPI().info(new Info().title("VisionServe")
			.version(version)
			.license(new License().name("Apache-2.0"))
			.description("""
					Image classification and diffusion inference on ONNX Runtime.

					Errors are RFC 9457 `application/problem+json` bodies with a stable `code` member: \
					INVALID_IMAGE, INVALID_PARAMETER (400), UNKNOWN_MODEL (404), PAYLOAD_TOO_LARGE (413), \
					UNSUPPORTED_MEDIA_TYPE (415), QUEUE_FULL (429, with Retry-After), DEADLINE_EXCEEDED and \
					MODEL_NOT_READY (503), INTERNAL (500)."""));
	}

}
