package dev.visionserve.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.accept.ContentNegotiationManager;
import org.springframework.web.context.request.ServletWebRequest;

import static org.assertj.core.api.Assertions.assertThat;

class AcceptHeaderNegotiationTests {

	@ParameterizedTest
	@ValueSource(strings = { "\"a/b", "[1,2,3", "foo", "image/png;q=x" })
	void ignoresAnAcceptHeaderItCannotParse(String accept) throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.addHeader("Accept", accept);
		assertThat(new AcceptHeaderNegotiation().resolveMediaTypes(new ServletWebRequest(request)))
			.containsExactly(MediaType.ALL);
	}

	@Test
	void isTheOnlyStrategyOfTheServicesContentNegotiation() {
		new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class))
			.withUserConfiguration(RequestHeaderConfiguration.class)
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
