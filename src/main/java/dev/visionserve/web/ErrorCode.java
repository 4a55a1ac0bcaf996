package dev.visionserve.web;

import java.net.URI;
import java.util.Locale;

import org.springframework.http.HttpStatus;

/**
 * The stable {@code code} member of every problem response, with its HTTP status. Clients
 * branch on the code, so a code never changes meaning once published.
 */
enum ErrorCode {

	INVALID_IMAGE(HttpStatus.BAD_REQUEST, "Invalid image"),

	INVALID_PARAMETER(HttpStatus.BAD_REQUEST, "Invalid parameter"),

	UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "Unauthorized"),

	ORIGIN_NOT_ALLOWED(HttpStatus.FORBIDDEN, "Origin not allowed"),

	UNKNOWN_MODEL(HttpStatus.NOT_FOUND, "Unknown model"),

	NOT_FOUND(HttpStatus.NOT_FOUND, "Not found"),

	METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),

	NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),

	PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "Payload too large"),

	UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),

	QUEUE_FULL(HttpStatus.TOO_MANY_REQUESTS, "Queue full"),

	DEADLINE_EXCEEDED(HttpStatus.SERVICE_UNAVAILABLE, "Deadline exceeded"),

	MODEL_NOT_READY(HttpStatus.SERVICE_UNAVAILABLE, "Model not ready"),

	SHUTTING_DOWN(HttpStatus.SERVICE_UNAVAILABLE, "Shutting down"),

	/** A generation left the loop because its client hung up or fell too far behind. */
	CANCELLED(HttpStatus.SERVICE_UNAVAILABLE, "Cancelled"),

	INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

	private final HttpStatus status;

	private final String title;

	ErrorCode(HttpStatus status, String title) {
		this.status = status;
		this.title = title;
	}

	/**
	 * @return the code for an error status raised outside Spring MVC (by the servlet
	 * container), where only the status is known
	 */
	static ErrorCode forStatus(int status) {
		return switch (status) {
			case 400 -> INVALID_PARAMETER;
			case 404 -> NOT_FOUND;
			case 405 -> METHOD_NOT_ALLOWED;
			case 413 -> PAYLOAD_TOO_LARGE;
			case 415 -> UNSUPPORTED_MEDIA_TYPE;
			default -> (status >= 400 && status < 500) ? INVALID_PARAMETER : INTERNAL;
		};
	}

	HttpStatus status() {
		return this.status;
	}

	String title() {
		return this.title;
	}

	URI type() {
		return URI.create("urn:visionserve:problem:" + name().toLowerCase(Locale.ROOT).replace('_', '-'));
	}

}
