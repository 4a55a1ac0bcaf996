package dev.visionserve.web;

import jakarta.servlet.ServletRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class UnusableCharsetFilterTests {

	@ParameterizedTest
	@ValueSource(strings = { "nope", "UTset=UF-8J" })
	void hidesACharsetTheJvmDoesNotKnow(String charset) throws Exception {
		assertThat(encodingSeenBehind("application/json;charset=" + charset)).isNull();
	}

	@Test
	void keepsAKnownCharset() throws Exception {
		assertThat(encodingSeenBehind("application/json;charset=ISO-8859-1")).isEqualTo("ISO-8859-1");
	}

	private static String encodingSeenBehind(String contentType) throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/generate");
		request.setContentType(contentType);
		MockFilterChain chain = new MockFilterChain();
		new UnusableCharsetFilter().doFilter(request, new MockHttpServletResponse(), chain);
		ServletRequest seen = chain.getRequest();
		return seen.getCharacterEncoding();
	}

}
