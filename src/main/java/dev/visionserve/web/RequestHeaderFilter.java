package dev.visionserve.web;

import java.io.IOException;
import java.nio.charset.Charset;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Keeps two kinds of malformed {@code Content-Type} from turning an answer into an empty
 * body or a 500 (both found by ApiMappingFuzzTests):
 * <ul>
 * <li>one Spring Framework 7.0's parser throws {@link StringIndexOutOfBoundsException} on
 * (e.g. {@code "a/b}) instead of rejecting it: answered here with 415 and a problem
 * body;</li>
 * <li>a charset the JVM does not know ({@code application/json;charset=nope}): hidden
 * from Spring MVC, which decodes the request path with it when it writes any response
 * body, so the error response for that very request failed and the client got an empty
 * 415. The header itself is untouched, so the request is still refused as an unsupported
 * media type, now with its problem body.</li>
 * </ul>
 * Stateless and thread-safe.
 */
class RequestHeaderFilter extends OncePerRequestFilter {

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (crashesSpringsParser(request.getContentType())) {
			ProblemBodies.write(request, response, ErrorCode.UNSUPPORTED_MEDIA_TYPE,
					"The Content-Type header could not be parsed");
			return;
		}
		chain.doFilter(isUsable(request.getCharacterEncoding()) ? request : new HttpServletRequestWrapper(request) {

			@Override
			public String getCharacterEncoding() {
				return null;
			}

		}, response);
	}

	private static boolean crashesSpringsParser(String contentType) {
		if (contentType == null) {
			return false;
		}
		try {
			MediaType.parseMediaType(contentType);
			return false;
		}
		catch (InvalidMediaTypeException ex) {
			return false;
		}
		catch (RuntimeException ex) {
			return true;
		}
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
