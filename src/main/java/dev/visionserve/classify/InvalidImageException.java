package dev.visionserve.classify;

/**
 * An uploaded image is empty, not an image, of an unsupported format, or damaged.
 */
public class InvalidImageException extends RuntimeException {

	InvalidImageException(String message) {
		super(message);
	}

}
