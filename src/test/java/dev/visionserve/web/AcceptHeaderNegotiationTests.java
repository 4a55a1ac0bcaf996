package dev.visionserve.web;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.accept.ContentNegotiationManager;
import org.springframework.web.context.request.ServletWebRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AcceptHeaderNegotiationTests {

	@Test
	void turnsAnAcceptHeaderSpringsParserTripsOverIntoNotAcceptable() {
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.addHeader("Accept", "\"a/b");
		assertThatThrownBy(() -> new AcceptHeaderNegotiation().resolveMediaTypes(new ServletWebRequest(request)))
			.isInstanceOf(HttpMediaTypeNotAcceptableException.class);
	}

	@Test
	void isTheOnlyStrategyOfTheServicesContentNegotiation() {
		new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class))
			.withUserConfiguration(AcceptHeaderNegotiation.AcceptHeaderConfiguration.class)
			.run((context) -> {
				ContentNegotiationManager manager = context.getBean("mvcContentNegotiationManager",
						ContentNegotiationManager.class);
				assertThat(manager.getStrategies()).singleElement().isInstanceOf(AcceptHeaderNegotiation.class);
				MockHttpServletRequest request = new MockHttpServletRequest();
				request.addHeader("Accept", "image/png");
				assertThat(manager.resolveMediaTypes(new ServletWebRequest(request)))
					.containsExactly(MediaType.IMAGE_PNG);
			});
	}

}
