package dev.visionserve.metrics;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Request attributes through which controllers and the error handler tell
 * {@link RequestMetricsFilter} what a request was about and how it ended, so the metrics
 * are recorded in one place whatever path the request took.
 */
public final class RequestAttributes {

	/** The API endpoint, e.g. {@code classify}. */
	public static final String ENDPOINT = "visionserve.endpoint";

	/** The model the request resolved to. */
	public static final String MODEL = "visionserve.model";

	/** The error code when the request failed, e.g. {@code QUEUE_FULL}. */
	public static final String OUTCOME = "visionserve.outcome";

	private RequestAttributes() {
	}

	public static void describe(HttpServletRequest request, String endpoint, String model) {
		request.setAttribute(ENDPOINT, endpoint);
		request.setAttribute(MODEL, model);
	}

	public static void failed(HttpServletRequest request, String code) {
		request.setAttribute(OUTCOME, code);
	}

}
