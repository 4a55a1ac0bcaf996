package dev.visionserve.web;

import java.util.Optional;

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
		if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable failure) {
			Optional<ResponseEntity<ProblemDetail>> refusal = ContainerRefusals.answer(failure, request);
			if (refusal.isPresent()) {
				return refusal.get();
			}
		}
		Object statusAttribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		// No status: a client asked for the error path itself, which is no resource of
		// the API (and must not look like a server failure).
		int status = (statusAttribute instanceof Integer code) ? code : 404;
		ErrorCode code = ErrorCode.forStatus(status);
		String detail = (code == ErrorCode.INTERNAL) ? "An internal error occurred"
				: HttpStatus.valueOf(status).getReasonPhrase();
		return ProblemResponses.of(code, detail, request);
	}

}
