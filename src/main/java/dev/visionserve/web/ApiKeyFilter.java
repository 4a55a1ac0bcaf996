package dev.visionserve.web;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.web.cors.CorsUtils;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Requires one of the configured {@link ApiKeys} on every request except those to the
 * public paths (health probes, info, the Prometheus scrape, the playground's static page,
 * Swagger UI and the OpenAPI document): a new endpoint is protected without anyone having
 * to remember it. The key comes as {@code Authorization: Bearer <key>} or
 * {@code X-API-Key: <key>}; a request without a valid one gets 401
 * {@code application/problem+json} with code {@code UNAUTHORIZED} and a
 * {@code WWW-Authenticate: Bearer} challenge, and counts in
 * {@code visionserve_auth_rejected_total{reason}}. Keys and the headers carrying them are
 * never logged. Stateless apart from its meters; thread-safe.
 * <p>
 * The path checked is the servlet path as the container normalised it (decoded, dot
 * segments and path parameters removed): {@code /actuator/health/../../classify} is
 * {@code /classify} here. Spring MVC routes on the same path decoded but with dot
 * segments kept, so a path public here never reaches a protected handler.
 */
public final class ApiKeyFilter extends OncePerRequestFilter {

	/** The header an API client may use instead of {@code Authorization: Bearer}. */
	public static final String API_KEY_HEADER = "X-API-Key";

	private static final Set<String> PUBLIC_PATHS = Set.of("/", "/index.html", "/favicon.ico", "/swagger-ui.html",
			"/v3/api-docs", "/actuator/health", "/actuator/info", "/actuator/prometheus");

	private static final List<String> PUBLIC_PREFIXES = List.of("/actuator/health/", "/swagger-ui/", "/v3/api-docs/");

	private static final String BEARER = "bearer ";

	private final ApiKeys keys;

	private final Counter missing;

	private final Counter invalid;

	public ApiKeyFilter(ApiKeys keys, MeterRegistry registry) {
		this.keys = keys;
		this.missing = rejected(registry, "missing");
		this.invalid = rejected(registry, "invalid");
	}

	private static Counter rejected(MeterRegistry registry, String reason) {
		return Counter.builder("visionserve.auth.rejected")
			.description("Requests refused with 401 for a missing or invalid API key")
			.tag("reason", reason)
			.register(registry);
	}

	/**
	 * @param path a servlet path (normalised, decoded)
	 * @return whether anyone may request it without a key
	 */
	static boolean isPublic(String path) {
		if (PUBLIC_PATHS.contains(path)) {
			return true;
		}
		if (path.startsWith("/playground.") && path.indexOf('/', 1) < 0) {
			return true;
		}
		return PUBLIC_PREFIXES.stream().anyMatch(path::startsWith);
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		// A CORS preflight never carries credentials (browsers leave them out), and its
		// answer holds no data: the request it announces is checked when it comes.
		return !this.keys.enabled() || CorsUtils.isPreFlightRequest(request) || isPublic(path(request));
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String presented = presentedKey(request);
		if (presented == null) {
			this.missing.increment();
			reject(request, response, null,
					"An API key is required: send it as Authorization: Bearer <key> or as " + API_KEY_HEADER + ".");
		}
		else if (!this.keys.matches(presented)) {
			this.invalid.increment();
			reject(request, response, "invalid_token", "The API key is not valid.");
		}
		else {
			chain.doFilter(request, response);
		}
	}

	/**
	 * @return the key in {@code X-API-Key}, else the token of
	 * {@code Authorization: Bearer}, else {@code null}
	 */
	private static String presentedKey(HttpServletRequest request) {
		String apiKey = request.getHeader(API_KEY_HEADER);
		if (apiKey != null && !apiKey.isBlank()) {
			return apiKey.strip();
		}
		String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (authorization != null && authorization.length() > BEARER.length()
				&& authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
			String token = authorization.substring(BEARER.length()).strip();
			return token.isEmpty() ? null : token;
		}
		return null;
	}

	private static void reject(HttpServletRequest request, HttpServletResponse response, String error, String detail)
			throws IOException {
		// RFC 6750 §3: a bare challenge when no credentials came, the error when they
		// were wrong.
		response.setHeader(HttpHeaders.WWW_AUTHENTICATE,
				"Bearer realm=\"visionserve\"" + ((error != null) ? ", error=\"" + error + "\"" : ""));
		ProblemBodies.write(request, response, ErrorCode.UNAUTHORIZED, detail);
	}

	private static String path(HttpServletRequest request) {
		String pathInfo = request.getPathInfo();
		return request.getServletPath() + ((pathInfo != null) ? pathInfo : "");
	}

}
