package dev.visionserve.web;

import java.util.List;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.accept.HeaderContentNegotiationStrategy;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.servlet.config.annotation.ContentNegotiationConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Content negotiation by the {@code Accept} header, as Spring's default, except that a
 * header Spring's parser fails on with an unexpected exception is "not acceptable" (406)
 * like any other unparsable one instead of a 500: {@code Accept: "a/b} throws
 * {@link StringIndexOutOfBoundsException} in Spring Framework 7.0's {@code MimeTypeUtils}
 * (found by ApiMappingFuzzTests). Stateless and thread-safe.
 */
class AcceptHeaderNegotiation extends HeaderContentNegotiationStrategy {

	@Override
	public List<MediaType> resolveMediaTypes(NativeWebRequest request) throws HttpMediaTypeNotAcceptableException {
		try {
			return super.resolveMediaTypes(request);
		}
		catch (RuntimeException ex) {
			throw new HttpMediaTypeNotAcceptableException("Could not parse the 'Accept' header");
		}
	}

	/**
	 * Makes it the service's only content negotiation strategy, as the header one was.
	 */
	@Configuration(proxyBeanMethods = false)
	static class AcceptHeaderConfiguration implements WebMvcConfigurer {

		@Override
		public void configureContentNegotiation(ContentNegotiationConfigurer configurer) {
			configurer.strategies(List.of(new AcceptHeaderNegotiation()));
		}

	}

}
