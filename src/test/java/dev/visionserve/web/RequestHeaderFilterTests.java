package dev.visionserve.web;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class RequestHeaderFilterTests {

	@ParameterizedTest
	@ValueSource(strings = { "nope", "UTset=UF-8J" })
	void hidesACharsetTheJvmDoesNotKnow(String charset) throws Exception {
		assertThat(encodingSeenBehind("application/json;charset=" + charset)).isNull();
	}

	@Test
	void keepsAKnownCharset() throws Exception {
		assertThat(encodingSeenBehind("application/json;charset=ISO-8859-1")).isEqualTo("ISO-8859-1");
	}

	@Test
	void answersAContentTypeSpringsParserThrowsOnWith415AndAProblem() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/generate");
		HttpServletRequestWrapper quoted = new HttpServletRequestWrapper(request) {

			@Override
			public String getContentType() {
				return "\"a/b";
			}

		};
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();
		new RequestHeaderFilter().doFilter(quoted, response, chain);
		assertThat(chain.getRequest()).isNull();
		assertThat(response.getStatus()).isEqualTo(415);
		assertThat(response.getContentType()).isEqualTo("application/problem+json");
		assertThat(response.getContentAsString()).contains("\"code\":\"UNSUPPORTED_MEDIA_TYPE\"")
			.contains("\"status\":415")
			.contains("\"instance\":\"/generate\"");
	}

	private static String encodingSeenBehind(String contentType) throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/generate");
		request.setContentType(contentType);
		MockFilterChain chain = new MockFilterChain();
		new RequestHeaderFilter().doFilter(request, new MockHttpServletResponse(), chain);
		ServletRequest seen = chain.getRequest();
		return seen.getCharacterEncoding();
	}

}
