package dev.visionserve.runtime;

import java.util.Collection;

/**
 * A request named a model the repository does not hold (or one of another kind).
 */
public class UnknownModelException extends RuntimeException {

	private final String model;

	public UnknownModelException(String model, String kind, Collection<String> available) {
		super("No " + kind + " model named '" + model + "'; available: " + available);
		this.model = model;
	}

	public String model() {
		return this.model;
	}

}
