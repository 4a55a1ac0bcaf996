package dev.visionserve.metrics;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Records {@code visionserve_requests_total{endpoint,model,outcome}} and
 * {@code visionserve_request_seconds{endpoint,model}} for every request to an inference
 * endpoint, successful or not. The outcome is {@code success} or the lower-case error
 * code. Thread-safe; meters are cached by the registry.
 */
public final class RequestMetricsFilter extends OncePerRequestFilter {

	/** The inference endpoints; the rest (health, metrics, docs) are not counted. */
	private static final Set<String> ENDPOINTS = Set.of("/classify", "/generate", "/inpaint", "/super-resolution",
			"/denoise", "/img2img");

	private final MeterRegistry registry;

	public RequestMetricsFilter(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !ENDPOINTS.contains(request.getRequestURI());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long start = System.nanoTime();
		ResponseCompletion.proceedThen(request, response, chain,
				() -> record(request, response, System.nanoTime() - start));
	}

	private void record(HttpServletRequest request, HttpServletResponse response, long nanos) {
		String endpoint = attribute(request, RequestAttributes.ENDPOINT, request.getRequestURI().substring(1));
		String model = attribute(request, RequestAttributes.MODEL, "none");
		String outcome = attribute(request, RequestAttributes.OUTCOME,
				(response.getStatus() < 400) ? "success" : "http_" + response.getStatus());
		Counter.builder("visionserve.requests")
			.description("Inference requests by endpoint, model and outcome (success or error code)")
			.tag("endpoint", endpoint)
			.tag("model", model)
			.tag("outcome", outcome.toLowerCase(Locale.ROOT))
			.register(this.registry)
			.increment();
		Timer.builder("visionserve.request")
			.description("Inference request latency, from the first byte read to the response")
			.tag("endpoint", endpoint)
			.tag("model", model)
			.publishPercentileHistogram()
			.register(this.registry)
			.record(nanos, TimeUnit.NANOSECONDS);
	}

	private static String attribute(HttpServletRequest request, String name, String fallback) {
		Object value = request.getAttribute(name);
		return (value != null) ? value.toString() : fallback;
	}

}
