package dev.visionserve.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers errors raised outside Spring MVC (by the servlet container, e.g. a malformed
 * request) with the same problem+json as everything else, instead of Boot's default error
 * body.
 */
@RestController
class ProblemErrorController implements ErrorController {

	@RequestMapping("${server.error.path:/error}")
	ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
		Object statusAttribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		// No status: a client asked for the error path itself, which is no resource of
		// the
		// API (and must not look like a server failure).
		int status = (statusAttribute instanceof Integer code) ? code : 404;
		ErrorCode code = switch (status) {
			case 400 -> ErrorCode.INVALID_PARAMETER;
			case 404 -> ErrorCode.NOT_FOUND;
			case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
			case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
			case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
			default -> (status >= 400 && status < 500) ? ErrorCode.INVALID_PARAMETER : ErrorCode.INTERNAL;
		};
		String detail = (code == ErrorCode.INTERNAL) ? "An internal error occurred"
				: HttpStatus.valueOf(status).getReasonPhrase();
		return ProblemResponses.of(code, detail, request);
	}

}
