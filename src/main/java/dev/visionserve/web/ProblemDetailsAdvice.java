package dev.visionserve.web;

import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import dev.visionserve.batching.BatcherClosedException;
import dev.visionserve.batching.DeadlineExceededException;
import dev.visionserve.batching.QueueFullException;
import dev.visionserve.classify.InvalidImageException;
import dev.visionserve.classify.PayloadTooLargeException;
import dev.visionserve.runtime.InvalidParameterException;
import dev.visionserve.runtime.ModelNotReadyException;
import dev.visionserve.runtime.UnknownModelException;

/**
 * Maps every failure of a request to an RFC 9457 problem with a stable {@code code}.
 * Client mistakes become 4xx with a message that says what to change; anything unexpected
 * becomes {@code INTERNAL} with a reference id that is also in the log, never a stack
 * trace.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class ProblemDetailsAdvice {

	private static final Log logger = LogFactory.getLog(ProblemDetailsAdvice.class);

	@ExceptionHandler(InvalidImageException.class)
	ResponseEntity<ProblemDetail> invalidImage(InvalidImageException ex, HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.INVALID_IMAGE, ex.getMessage(), request);
	}

	@ExceptionHandler(InvalidParameterException.class)
	ResponseEntity<ProblemDetail> invalidParameter(InvalidParameterException ex, HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.INVALID_PARAMETER, ex.getMessage(), request);
	}

	@ExceptionHandler(MethodArgumentTypeMismatchException.class)
	ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException ex, HttpServletRequest request) {
		String expected = (ex.getRequiredType() != null) ? ex.getRequiredType().getSimpleName() : "another type";
		return ProblemResponses.of(ErrorCode.INVALID_PARAMETER,
				"Parameter '" + ex.getName() + "' must be " + article(expected) + ", was '" + ex.getValue() + "'",
				request);
	}

	@ExceptionHandler({ MissingServletRequestParameterException.class, MissingServletRequestPartException.class,
			HandlerMethodValidationException.class, HttpMessageNotReadableException.class })
	ResponseEntity<ProblemDetail> badRequest(Exception ex, HttpServletRequest request) {
		String detail = (ex instanceof MissingServletRequestPartException missing)
				? "The request has no part named '" + missing.getRequestPartName() + "'"
				: (ex instanceof MissingServletRequestParameterException missing)
						? "The request has no parameter '" + missing.getParameterName() + "'"
						: (ex instanceof HttpMessageNotReadableException) ? "The request body could not be read"
								: "The request parameters are invalid";
		return ProblemResponses.of(ErrorCode.INVALID_PARAMETER, detail, request);
	}

	@ExceptionHandler(MaxUploadSizeExceededException.class)
	ResponseEntity<ProblemDetail> uploadTooLarge(MaxUploadSizeExceededException ex, HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.PAYLOAD_TOO_LARGE,
				"The upload exceeds the size limit (spring.servlet.multipart.max-file-size / max-request-size)",
				request);
	}

	@ExceptionHandler(MultipartException.class)
	ResponseEntity<ProblemDetail> badMultipart(MultipartException ex, HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.INVALID_PARAMETER, "The multipart body could not be parsed", request);
	}

	@ExceptionHandler(PayloadTooLargeException.class)
	ResponseEntity<ProblemDetail> payloadTooLarge(PayloadTooLargeException ex, HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.PAYLOAD_TOO_LARGE, ex.getMessage(), request);
	}

	@ExceptionHandler(UnknownModelException.class)
	ResponseEntity<ProblemDetail> unknownModel(UnknownModelException ex, HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.UNKNOWN_MODEL, ex.getMessage(), request);
	}

	@ExceptionHandler(NoResourceFoundException.class)
	ResponseEntity<ProblemDetail> notFound(NoResourceFoundException ex, HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.NOT_FOUND, "No resource at " + request.getRequestURI(), request);
	}

	@ExceptionHandler(HttpRequestMethodNotSupportedException.class)
	ResponseEntity<ProblemDetail> methodNotAllowed(HttpRequestMethodNotSupportedException ex,
			HttpServletRequest request) {
		HttpHeaders headers = new HttpHeaders();
		if (ex.getSupportedHttpMethods() != null) {
			headers.setAllow(ex.getSupportedHttpMethods());
		}
		return ProblemResponses.of(ErrorCode.METHOD_NOT_ALLOWED,
				ex.getMethod() + " is not supported here; use " + ex.getSupportedHttpMethods(), request, headers);
	}

	@ExceptionHandler(HttpMediaTypeNotSupportedException.class)
	ResponseEntity<ProblemDetail> unsupportedMediaType(HttpMediaTypeNotSupportedException ex,
			HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content type '" + ex.getContentType()
				+ "' is not supported; send multipart/form-data with 'image' parts or a raw image body (image/png, "
				+ "image/jpeg, image/gif, image/bmp)", request);
	}

	@ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
	ResponseEntity<ProblemDetail> notAcceptable(HttpMediaTypeNotAcceptableException ex, HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.NOT_ACCEPTABLE,
				"None of the accepted media types can be produced; supported: " + ex.getSupportedMediaTypes(), request);
	}

	@ExceptionHandler(QueueFullException.class)
	ResponseEntity<ProblemDetail> queueFull(QueueFullException ex, HttpServletRequest request) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, ex.retryAfter().toSeconds())));
		return ProblemResponses.of(ErrorCode.QUEUE_FULL, ex.getMessage(), request, headers);
	}

	@ExceptionHandler(DeadlineExceededException.class)
	ResponseEntity<ProblemDetail> deadline(DeadlineExceededException ex, HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.DEADLINE_EXCEEDED, ex.getMessage(), request);
	}

	@ExceptionHandler(ModelNotReadyException.class)
	ResponseEntity<ProblemDetail> notReady(ModelNotReadyException ex, HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.MODEL_NOT_READY, ex.getMessage(), request);
	}

	@ExceptionHandler(BatcherClosedException.class)
	ResponseEntity<ProblemDetail> shuttingDown(BatcherClosedException ex, HttpServletRequest request) {
		return ProblemResponses.of(ErrorCode.SHUTTING_DOWN, ex.getMessage(), request);
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<ProblemDetail> internal(Exception ex, HttpServletRequest request) {
		String reference = UUID.randomUUID().toString();
		logger.error("Request " + request.getMethod() + " " + request.getRequestURI() + " failed (reference "
				+ reference + ")", ex);
		return ProblemResponses.of(ErrorCode.INTERNAL,
				"An internal error occurred; quote reference " + reference + " to the operator", request);
	}

	private static String article(String type) {
		return ("aeiou".indexOf(Character.toLowerCase(type.charAt(0))) >= 0 ? "an " : "a ") + type;
	}

}
