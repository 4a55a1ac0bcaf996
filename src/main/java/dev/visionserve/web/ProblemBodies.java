package dev.visionserve.web;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;

import dev.visionserve.metrics.RequestAttributes;

/**
 * The problem+json body for answers written outside Spring MVC (servlet filters, the CORS
 * processor, Tomcat's error report), before its message converters are reached; the same
 * members {@link ProblemResponses} gives. Stateless.
 */
final class ProblemBodies {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ProblemBodies() {
	}

	/**
	 * @param instance the request's path, or {@code null} to leave the member out
	 */
	static byte[] json(ErrorCode code, String detail, String instance) {
		return json(code, code.status().value(), detail, instance);
	}

	/**
	 * @param status the response's status, where it is not the code's own (a status only
	 * the container knows)
	 * @param instance the request's path, or {@code null} to leave the member out
	 */
	static byte[] json(ErrorCode code, int status, String detail, String instance) {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", code.type().toString());
		problem.put("title", code.title());
		problem.put("status", status);
		problem.put("detail", detail);
		if (instance != null) {
			problem.put("instance", instance);
		}
		problem.put("code", code.name());
		return JSON.writeValueAsBytes(problem);
	}

	/**
	 * Answers a request from a servlet filter with the problem (headers set before this
	 * stay), and marks the outcome for the request metrics.
	 */
	static void write(HttpServletRequest request, HttpServletResponse response, ErrorCode code, String detail)
			throws IOException {
		RequestAttributes.failed(request, code.name());
		response.setStatus(code.status().value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.getOutputStream().write(json(code, detail, request.getRequestURI()));
	}

}
