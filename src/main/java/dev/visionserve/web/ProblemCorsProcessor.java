package dev.visionserve.web;

import java.io.IOException;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.cors.DefaultCorsProcessor;

/**
 * Spring's CORS rules, with a refused cross-origin request (an origin, method or header
 * not allowed) answered as 403 problem+json with code {@code ORIGIN_NOT_ALLOWED} instead
 * of a plain-text body. Stateless; thread-safe.
 */
public final class ProblemCorsProcessor extends DefaultCorsProcessor {

	@Override
	protected void rejectRequest(ServerHttpResponse response) throws IOException {
		ErrorCode code = ErrorCode.ORIGIN_NOT_ALLOWED;
		response.setStatusCode(HttpStatus.FORBIDDEN);
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		response.getBody()
			.write(ProblemBodies.json(code,
					"This origin, method or header is not allowed to call the service from a browser.", null));
		response.flush();
	}

}
