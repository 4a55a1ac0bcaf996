package dev.visionserve.system;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;

import dev.visionserve.web.ApiKeyFilter;
import dev.visionserve.web.ApiKeys;
import dev.visionserve.web.ProblemCorsProcessor;

/**
 * Wires the API key check and CORS as plain servlet filters, in front of everything else
 * of the application: CORS first (a preflight is answered before any key is asked for,
 * and a 401 still carries the CORS headers a browser needs to read it), then the key
 * check, then the request metrics, so that requests without a valid key do not count as
 * inference requests (they have their own counter).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ WebSecurityProperties.class, CorsProperties.class })
class WebSecurityConfiguration {

	private static final Log logger = LogFactory.getLog(WebSecurityConfiguration.class);

	@Bean
	ApiKeys apiKeys(WebSecurityProperties properties) {
		List<String> keys = new ArrayList<>(properties.apiKeys());
		if (properties.apiKeysFile() != null) {
			keys.addAll(ApiKeys.read(properties.apiKeysFile()));
		}
		ApiKeys apiKeys = ApiKeys.of(keys);
		if (apiKeys.enabled()) {
			logger.info("API keys required (" + apiKeys.size() + " configured) on every path but the public ones");
		}
		else {
			logger.info("No API keys configured: every endpoint is open");
		}
		return apiKeys;
	}

	@Bean
	FilterRegistrationBean<CorsFilter> corsFilter(CorsProperties properties) {
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		if (!properties.allowedOrigins().isEmpty()) {
			CorsConfiguration cors = new CorsConfiguration();
			cors.setAllowedOrigins(properties.allowedOrigins());
			cors.setAllowedMethods(properties.allowedMethods());
			cors.setAllowedHeaders(properties.allowedHeaders());
			cors.setExposedHeaders(properties.exposedHeaders());
			cors.setMaxAge(properties.maxAge());
			source.registerCorsConfiguration("/**", cors);
		}
		CorsFilter filter = new CorsFilter(source);
		filter.setCorsProcessor(new ProblemCorsProcessor());
		FilterRegistrationBean<CorsFilter> registration = new FilterRegistrationBean<>(filter);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
		return registration;
	}

	@Bean
	FilterRegistrationBean<ApiKeyFilter> apiKeyFilter(ApiKeys keys, MeterRegistry registry) {
		FilterRegistrationBean<ApiKeyFilter> registration = new FilterRegistrationBean<>(
				new ApiKeyFilter(keys, registry));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 3);
		return registration;
	}

}
