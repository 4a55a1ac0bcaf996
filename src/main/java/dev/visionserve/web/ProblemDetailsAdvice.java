package dev.visionserve.web;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.exc.MismatchedInputException;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
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
import dev.visionserve.image.InvalidImageException;
import dev.visionserve.image.PayloadTooLargeException;
import dev.visionserve.generate.GenerationCancelledException;
import dev.visionserve.runtime.InvalidParameterException;
import dev.visionserve.runtime.JacksonPaths;
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

	/** How Jackson's strict duplicate detection starts its message. */
	private static final String DUPLICATE_KEY = "Duplicate Object property \"";

	/**
	 * Rejected values echoed in a problem are cut here: a client sent them, it has them.
	 */
	private static final int MAX_ECHO = 80;

	private static final Map<Class<? extends RuntimeException>, ErrorCode> CODES = Map.of(InvalidImageException.class,
			ErrorCode.INVALID_IMAGE, InvalidParameterException.class, ErrorCode.INVALID_PARAMETER,
			PayloadTooLargeException.class, ErrorCode.PAYLOAD_TOO_LARGE, UnknownModelException.class,
			ErrorCode.UNKNOWN_MODEL, DeadlineExceededException.class, ErrorCode.DEADLINE_EXCEEDED,
			ModelNotReadyException.class, ErrorCode.MODEL_NOT_READY, BatcherClosedException.class,
			ErrorCode.SHUTTING_DOWN, GenerationCancelledException.class, ErrorCode.CANCELLED);

	/** The service's own exceptions: their messages are written for the client. */
	@ExceptionHandler({ InvalidImageException.class, InvalidParameterException.class, PayloadTooLargeException.class,
			UnknownModelException.class, DeadlineExceededException.class, ModelNotReadyException.class,
			BatcherClosedException.class, GenerationCancelledException.class })
	ResponseEntity<ProblemDetail> typed(RuntimeException ex, HttpServletRequest request) {
		ErrorCode code = codeOf(ex);
		HttpHeaders headers = new HttpHeaders();
		if (code == ErrorCode.SHUTTING_DOWN) {
			headers.set(HttpHeaders.RETRY_AFTER, ProblemResponses.RETRY_ELSEWHERE_SECONDS);
		}
		return ProblemResponses.of(code, ex.getMessage(), request, headers);
	}

	private static ErrorCode codeOf(RuntimeException ex) {
		return CODES.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().isInstance(ex))
			.map(Map.Entry::getValue)
			.findFirst()
			.orElse(ErrorCode.INTERNAL);
	}

	@ExceptionHandler(MethodArgumentTypeMismatchException.class)
	ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException ex, HttpServletRequest request) {
		String expected = (ex.getRequiredType() != null) ? ex.getRequiredType().getSimpleName() : "another type";
		return ProblemResponses.of(ErrorCode.INVALID_PARAMETER, "Parameter '" + ex.getName() + "' must be "
				+ article(expected) + ", was '" + echo(String.valueOf(ex.getValue())) + "'", request);
	}

	@ExceptionHandler({ MissingServletRequestParameterException.class, MissingServletRequestPartException.class,
			HandlerMethodValidationException.class, HttpMessageNotReadableException.class })
	ResponseEntity<ProblemDetail> badRequest(Exception ex, HttpServletRequest request) {
		String detail = (ex instanceof MissingServletRequestPartException missing)
				? "The request has no part named '" + missing.getRequestPartName() + "'"
				: (ex instanceof MissingServletRequestParameterException missing)
						? "The request has no parameter '" + missing.getParameterName() + "'"
						: (ex instanceof HttpMessageNotReadableException unreadable) ? unreadable(unreadable)
								: "The request parameters are invalid";
		return ProblemResponses.of(ErrorCode.INVALID_PARAMETER, detail, request);
	}

	@ExceptionHandler(MethodArgumentNotValidException.class)
	ResponseEntity<ProblemDetail> invalidBody(MethodArgumentNotValidException ex, HttpServletRequest request) {
		String detail = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			// A binding failure's own message names Java types: say it in the API's
			// terms.
			.map((error) -> error.getField() + " "
					+ (error.isBindingFailure() ? "has the wrong type for this field" : error.getDefaultMessage())
					+ " (was " + echo(String.valueOf(error.getRejectedValue())) + ")")
			.sorted()
			.collect(Collectors.joining("; "));
		return ProblemResponses.of(ErrorCode.INVALID_PARAMETER, detail, request);
	}

	@ExceptionHandler(MaxUploadSizeExceededException.class)
	ResponseEntity<ProblemDetail> uploadTooLarge(MaxUploadSizeExceededException ex, HttpServletRequest request) {
		return ContainerRefusals.answer(ex, request)
			.orElseGet(() -> ProblemResponses.of(ErrorCode.PAYLOAD_TOO_LARGE, ContainerRefusals.SIZE_LIMIT, request));
	}

	@ExceptionHandler(MultipartException.class)
	ResponseEntity<ProblemDetail> badMultipart(MultipartException ex, HttpServletRequest request) {
		return ContainerRefusals.answer(ex, request)
			.orElseGet(() -> ProblemResponses.of(ErrorCode.INVALID_PARAMETER, "The multipart body could not be parsed",
					request));
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
		// Each endpoint takes its own types (the editing ones no raw image): name them.
		String supported = ex.getSupportedMediaTypes()
			.stream()
			.map((type) -> type.getType() + "/" + type.getSubtype())
			.distinct()
			.collect(Collectors.joining(", "));
		String sent = (ex.getContentType() != null) ? "Content type '" + ex.getContentType() + "' is not supported"
				: "The request has no Content-Type";
		return ProblemResponses.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
				sent + (supported.isEmpty() ? "" : "; this endpoint takes " + supported), request);
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

	@ExceptionHandler(Exception.class)
	ResponseEntity<ProblemDetail> internal(Exception ex, HttpServletRequest request) {
		Optional<ResponseEntity<ProblemDetail>> refusal = ContainerRefusals.answer(ex, request);
		if (refusal.isPresent()) {
			return refusal.get();
		}
		String reference = UUID.randomUUID().toString();
		logger.error("Request " + request.getMethod() + " " + request.getRequestURI() + " failed (reference "
				+ reference + ")", ex);
		return ProblemResponses.of(ErrorCode.INTERNAL,
				"An internal error occurred; quote reference " + reference + " to the operator", request);
	}

	/**
	 * Names the field of a JSON body that has the wrong type, a duplicate key or a number
	 * out of range, without exposing Java class names.
	 */
	private static String unreadable(HttpMessageNotReadableException ex) {
		if (ex.getCause() instanceof JacksonException jackson) {
			String original = String.valueOf(jackson.getOriginalMessage());
			if (original.startsWith(DUPLICATE_KEY)) {
				String name = original.substring(DUPLICATE_KEY.length()).replaceFirst("\"[\\s\\S]*$", "");
				return "The request body has the key '" + name + "' more than once";
			}
			if (!jackson.getPath().isEmpty()) {
				return "The request body has an invalid value for '" + JacksonPaths.of(jackson) + "'"
						+ expected(jackson);
			}
		}
		return "The request body is missing or is not valid JSON";
	}

	/** What a field of the given Java type accepts, in JSON terms. */
	private static String expected(JacksonException ex) {
		Class<?> target = (ex instanceof MismatchedInputException mismatch) ? mismatch.getTargetType()
				: (ex instanceof InputCoercionException coercion) ? coercion.getTargetType() : null;
		if (target == null) {
			return "";
		}
		if (target == Integer.class || target == int.class || target == Long.class || target == long.class
				|| target == Short.class || target == short.class) {
			return "; expected a whole number in range";
		}
		if (target == Double.class || target == double.class || target == Float.class || target == float.class) {
			return "; expected a finite number";
		}
		if (target == String.class) {
			return "; expected a string";
		}
		return "";
	}

	private static String echo(String value) {
		return (value.length() <= MAX_ECHO) ? value : value.substring(0, MAX_ECHO) + "…";
	}

	private static String article(String type) {
		return ("aeiou".indexOf(Character.toLowerCase(type.charAt(0))) >= 0 ? "an " : "a ") + type;
	}

}
