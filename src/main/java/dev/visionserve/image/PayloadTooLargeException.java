package dev.visionserve.image;

/**
 * A request exceeds a size limit: body bytes, images per request, or decoded pixels of
 * one image.
 */
public class PayloadTooLargeException extends RuntimeException {

	public PayloadTooLargeException(String message) {
		super(message);
	}

}
