package dev.visionserve.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

import org.springframework.boot.info.BuildProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's title and description, shown at the top of Swagger UI, and with
 * API keys on, the two ways to present one (Swagger UI's "Authorize").
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	private static final String BEARER_SCHEME = "bearer";

	private static final String API_KEY_SCHEME = "apiKey";

	@Bean
	OpenAPI visionServeOpenApi(ObjectProvider<BuildProperties> build, ObjectProvider<ApiKeys> keys) {
		String version = build.getIfAvailable(() -> null) != null ? build.getObject().getVersion() : "dev";
		OpenAPI api = new OpenAPI();
		ApiKeys apiKeys = keys.getIfAvailable();
		if (apiKeys != null && apiKeys.enabled()) {
			// Swagger UI's "Authorize" button: either scheme satisfies the requirement.
			api.components(new Components()
				.addSecuritySchemes(BEARER_SCHEME,
						new SecurityScheme().type(SecurityScheme.Type.HTTP)
							.scheme("bearer")
							.description("An API key as a bearer token"))
				.addSecuritySchemes(API_KEY_SCHEME,
						new SecurityScheme().type(SecurityScheme.Type.APIKEY)
							.in(SecurityScheme.In.HEADER)
							.name(ApiKeyFilter.API_KEY_HEADER)
							.description("An API key")))
				.addSecurityItem(new SecurityRequirement().addList(BEARER_SCHEME))
				.addSecurityItem(new SecurityRequirement().addList(API_KEY_SCHEME));
		}
		return api.info(new Info().title("VisionServe")
			.version(version)
			.license(new License().name("Apache-2.0"))
			.description("""
					Image classification and diffusion inference on ONNX Runtime.

					Errors are RFC 9457 `application/problem+json` bodies with a stable `code` member: \
					INVALID_IMAGE, INVALID_PARAMETER (400), UNAUTHORIZED (401, when API keys are on), \
					ORIGIN_NOT_ALLOWED (403, CORS), UNKNOWN_MODEL, NOT_FOUND (404), METHOD_NOT_ALLOWED (405), \
					NOT_ACCEPTABLE (406), PAYLOAD_TOO_LARGE (413), UNSUPPORTED_MEDIA_TYPE (415), \
					QUEUE_FULL (429, with Retry-After), DEADLINE_EXCEEDED, MODEL_NOT_READY, SHUTTING_DOWN \
					(with Retry-After), CANCELLED (503), INTERNAL (500)."""));
	}

}
