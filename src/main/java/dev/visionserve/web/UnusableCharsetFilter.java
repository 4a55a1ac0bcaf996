package dev.visionserve.web;

import java.io.IOException;
import java.nio.charset.Charset;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Hides a request charset the JVM does not know ({@code Content-Type:
 * application/json;charset=nope}) from Spring MVC, which decodes the request path with it
 * when it writes any response body: the error response for that very request then failed
 * with {@link java.nio.charset.IllegalCharsetNameException} and the client got an empty
 * 415 (found by ApiMappingFuzzTests). The {@code Content-Type} header itself is
 * untouched, so the request is still refused as an unsupported media type, now with its
 * problem body. Stateless and thread-safe.
 */
class UnusableCharsetFilter extends OncePerRequestFilter {

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		chain.doFilter(isUsable(request.getCharacterEncoding()) ? request : new HttpServletRequestWrapper(request) {

			@Override
			public String getCharacterEncoding() {
				return null;
			}

		}, response);
	}

	private static boolean isUsable(String charset) {
		try {
			return charset == null || Charset.isSupported(charset);
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

}
