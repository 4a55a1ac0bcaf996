package dev.visionserve.web;

import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

import dev.visionserve.metrics.RequestAttributes;

/**
 * Builds RFC 9457 {@code application/problem+json} responses with the {@code code}
 * member, and marks the request's outcome for the metrics. Stateless.
 */
final class ProblemResponses {

	/**
	 * {@code Retry-After} of a 503 {@code SHUTTING_DOWN}: another replica can take the
	 * request at once, and a second is the smallest hint HTTP allows.
	 */
	static final String RETRY_ELSEWHERE_SECONDS = "1";

	private ProblemResponses() {
	}

	static ResponseEntity<ProblemDetail> of(ErrorCode code, String detail, HttpServletRequest request) {
		return of(code, detail, request, new HttpHeaders());
	}

	static ResponseEntity<ProblemDetail> of(ErrorCode code, String detail, HttpServletRequest request,
			HttpHeaders headers) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(code.status(), detail);
		problem.setType(code.type());
		problem.setTitle(code.title());
		String path = (String) request.getAttribute("jakarta.servlet.error.request_uri");
		problem.setInstance(URI.create((path != null) ? path : request.getRequestURI()));
		problem.setProperty("code", code.name());
		RequestAttributes.failed(request, code.name());
		return ResponseEntity.status(code.status())
			.headers(headers)
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem);
	}

}
