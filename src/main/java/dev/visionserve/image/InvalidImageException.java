package dev.visionserve.image;

/**
 * An uploaded image is empty, not an image, of an unsupported format, or damaged.
 */
public class InvalidImageException extends RuntimeException {

	public InvalidImageException(String message) {
		super(message);
	}

}
