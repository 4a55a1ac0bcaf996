package dev.visionserve.runtime;

import java.util.stream.Collectors;

import tools.jackson.core.JacksonException;

/**
 * Where in a JSON or YAML document a value that could not be read sits, as whoever wrote
 * the document names it ({@code batching.maxBatchSize}, {@code images.[2]}): Jackson's
 * own path description names Java classes instead. Stateless.
 */
public final class JacksonPaths {

	private JacksonPaths() {
	}

	/**
	 * @return the keys and indexes from the document's root to the value, joined by dots;
	 * empty when the failure is not tied to a value
	 */
	public static String of(JacksonException ex) {
		return ex.getPath()
			.stream()
			.map((reference) -> (reference.getPropertyName() != null) ? reference.getPropertyName()
					: "[" + reference.getIndex() + "]")
			.collect(Collectors.joining("."));
	}

}
