package dev.visionserve.generate;

import java.util.UUID;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.visionserve.batching.BatcherClosedException;
import dev.visionserve.batching.DeadlineExceededException;

/**
 * The data of the {@code error} event that ends a stream whose generation failed: the
 * same {@code code} and status a non-streaming request would have been answered with (the
 * stream's own status is already 200), and a detail written for the client, never an
 * internal message: an unexpected failure is logged under a reference id the detail
 * quotes, as for a 500.
 *
 * @param code the problem code, e.g. {@code SHUTTING_DOWN}
 * @param status the HTTP status a non-streaming answer would have had
 * @param detail what happened
 */
record StreamError(String code, int status, String detail) {

	private static final Log logger = LogFactory.getLog(StreamError.class);

	static StreamError of(Throwable failure) {
		if (failure instanceof BatcherClosedException closed) {
			return new StreamError("SHUTTING_DOWN", 503, closed.getMessage());
		}
		if (failure instanceof DeadlineExceededException late) {
			return new StreamError("DEADLINE_EXCEEDED", 503, late.getMessage());
		}
		if (failure instanceof GenerationCancelledException cancelled) {
			return new StreamError("CANCELLED", 503, cancelled.getMessage());
		}
		String reference = UUID.randomUUID().toString();
		logger.error("A streamed generation failed (reference " + reference + ")", failure);
		return new StreamError("INTERNAL", 500,
				"An internal error occurred; quote reference " + reference + " to the operator");
	}

}
