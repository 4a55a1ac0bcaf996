package dev.visionserve.generate;

import dev.visionserve.batching.BatcherClosedException;
import dev.visionserve.batching.DeadlineExceededException;

/**
 * The data of the {@code error} event that ends a stream whose generation failed: the
 * same {@code code} and status a non-streaming request would have been answered with (the
 * stream's own status is already 200), and a detail written for the client, never an
 * internal message.
 *
 * @param code the problem code, e.g. {@code SHUTTING_DOWN}
 * @param status the HTTP status a non-streaming answer would have had
 * @param detail what happened
 */
record StreamError(String code, int status, String detail) {

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
		return new StreamError("INTERNAL", 500, "The generation failed; the operator's log has the cause");
	}

}
