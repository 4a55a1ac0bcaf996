package dev.visionserve.web;

import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.apache.tomcat.util.http.fileupload.impl.FileCountLimitExceededException;
import org.apache.tomcat.util.http.fileupload.impl.SizeException;

import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * Recognises what Tomcat refuses when the parameters or parts of a request are first read
 * (malformed percent-encoding, too many parameters or parts). Tomcat raises these as an
 * {@code IllegalStateException} wherever the parameters happen to be read, so they would
 * otherwise surface as a 500. Stateless.
 */
final class ContainerRefusals {

	/** Tomcat's status for a parameter problem caused by size, not syntax. */
	private static final int TOO_LARGE = 413;

	static final String SIZE_LIMIT = "The upload exceeds the size limit (spring.servlet.multipart.max-file-size / "
			+ "max-request-size)";

	private ContainerRefusals() {
	}

	/**
	 * A client mistake found by the container.
	 *
	 * @param code the problem's code
	 * @param detail what to change, without class names
	 */
	record Refusal(ErrorCode code, String detail) {

	}

	private static Optional<Refusal> of(Throwable failure) {
		// The most specific refusal first, wherever it sits in the chain of causes.
		FileCountLimitExceededException tooMany = cause(failure, FileCountLimitExceededException.class);
		if (tooMany != null) {
			return Optional.of(new Refusal(ErrorCode.PAYLOAD_TOO_LARGE,
					"The multipart request has more than " + tooMany.getLimit() + " parts; each image and each "
							+ "form field is one part (server.tomcat.max-part-count, raised to "
							+ "visionserve.limits.max-images-per-request + 2 when lower)"));
		}
		if (cause(failure, SizeException.class) != null) {
			return Optional.of(new Refusal(ErrorCode.PAYLOAD_TOO_LARGE, SIZE_LIMIT));
		}
		InvalidParameterException invalid = cause(failure, InvalidParameterException.class);
		if (invalid != null) {
			return Optional.of((invalid.getErrorCode() == TOO_LARGE)
					? new Refusal(ErrorCode.PAYLOAD_TOO_LARGE,
							"The request exceeds a size limit: its form fields are larger than "
									+ "server.tomcat.max-http-form-post-size or it has more parameters than "
									+ "server.tomcat.max-parameter-count")
					: new Refusal(ErrorCode.INVALID_PARAMETER,
							"The query string or form could not be decoded; check its percent-encoding "
									+ "(a '%' must be followed by two hex digits)"));
		}
		return Optional.empty();
	}

	/**
	 * @return the failure or its first cause of that type, or {@code null}
	 */
	private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

	/**
	 * @return the problem answer for a refusal found in the failure, if it holds one
	 */
	static Optional<ResponseEntity<ProblemDetail>> answer(Throwable failure, HttpServletRequest request) {
		return of(failure).map((refusal) -> ProblemResponses.of(refusal.code(), refusal.detail(), request));
	}

}
