package dev.visionserve.web;

import java.util.List;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.config.annotation.ContentNegotiationConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * How malformed {@code Accept} and {@code Content-Type} headers are treated, so that
 * every error still reaches the client as a problem body (see
 * {@link AcceptHeaderNegotiation} and {@link RequestHeaderFilter}).
 */
@Configuration(proxyBeanMethods = false)
class RequestHeaderConfiguration implements WebMvcConfigurer {

	@Override
	public void configureContentNegotiation(ContentNegotiationConfigurer configurer) {
		configurer.strategies(List.of(new AcceptHeaderNegotiation()));
	}

	@Bean
	FilterRegistrationBean<RequestHeaderFilter> requestHeaderFilter() {
		FilterRegistrationBean<RequestHeaderFilter> registration = new FilterRegistrationBean<>(
				new RequestHeaderFilter());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

}
