package dev.visionserve.web;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/**
 * The problem+json body for answers written by servlet filters, before Spring MVC (and
 * its message converters) is reached; the same members {@link ProblemResponses} gives.
 * Stateless.
 */
final class ProblemBodies {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ProblemBodies() {
	}

	/**
	 * @param instance the request's path, or {@code null} to leave the member out
	 */
	static byte[] json(ErrorCode code, String detail, String instance) {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", code.type().toString());
		problem.put("title", code.title());
		problem.put("status", code.status().value());
		problem.put("detail", detail);
		if (instance != null) {
			problem.put("instance", instance);
		}
		problem.put("code", code.name());
		return JSON.writeValueAsBytes(problem);
	}

}
