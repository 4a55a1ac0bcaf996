package dev.visionserve.runtime;

/**
 * A request parameter has a value the service cannot use; the message names the parameter
 * and what is accepted.
 */
public class InvalidParameterException extends RuntimeException {

	private final String parameter;

	public InvalidParameterException(String parameter, String message) {
		super(message);
		this.parameter = parameter;
	}

	public String parameter() {
		return this.parameter;
	}

}
