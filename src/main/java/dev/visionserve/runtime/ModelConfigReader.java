package dev.visionserve.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads {@code model.yaml} strictly: an unknown key or a wrong type is a load failure
 * that names the key, so a typo in a config never silently falls back to a default.
 * Thread-safe.
 */
public final class ModelConfigReader {

	private final YAMLMapper mapper = YAMLMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
		.build();

	public ModelConfig read(Path file) throws ModelLoadException {
		if (!Files.isRegularFile(file)) {
			throw new ModelLoadException("model.yaml not found");
		}
		try {
			ModelConfig config = this.mapper.readValue(Files.readString(file), ModelConfig.class);
			if (config == null) {
				throw new ModelLoadException("model.yaml is empty; at least 'kind' is required");
			}
			return config;
		}
		catch (UnrecognizedPropertyException ex) {
			throw new ModelLoadException("model.yaml: unknown key '" + ex.getPropertyName() + "' at " + keyPath(ex)
					+ "; known keys: " + ex.getKnownPropertyIds());
		}
		catch (InvalidFormatException ex) {
			Class<?> type = ex.getTargetType();
			String allowed = (type != null && type.isEnum())
					? "; use one of " + java.util.Arrays.stream(type.getEnumConstants())
						.map((constant) -> constant.toString().toLowerCase(java.util.Locale.ROOT))
						.toList()
					: "";
			throw new ModelLoadException(
					"model.yaml: '" + ex.getValue() + "' is not a valid value for " + keyPath(ex) + allowed);
		}
		catch (MismatchedInputException ex) {
			// Jackson's message names the Java type it wanted; the path is what to fix.
			throw new ModelLoadException("model.yaml: the value at " + keyPath(ex) + " has the wrong type");
		}
		catch (StreamReadException ex) {
			// Not YAML at all: where the parser gave up is what the editor needs.
			throw new ModelLoadException("model.yaml is not valid YAML near line " + ex.getLocation().getLineNr() + ": "
					+ ex.getOriginalMessage());
		}
		catch (JacksonException ex) {
			throw new ModelLoadException("model.yaml: " + rootMessage(ex));
		}
		catch (IOException ex) {
			throw new ModelLoadException("model.yaml could not be read: " + ex.getMessage(), ex);
		}
	}

	/**
	 * The key's place in the YAML (e.g. {@code batching.maxBatchSise}): Jackson's own
	 * path reference names Java classes, which mean nothing to whoever edits the file.
	 */
	private static String keyPath(JacksonException ex) {
		return ex.getPath()
			.stream()
			.map((reference) -> (reference.getPropertyName() != null) ? reference.getPropertyName()
					: "[" + reference.getIndex() + "]")
			.collect(java.util.stream.Collectors.joining("."));
	}

	private static String rootMessage(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		if (cause instanceof IllegalArgumentException) {
			return cause.getMessage();
		}
		return (ex instanceof JacksonException jackson) ? jackson.getOriginalMessage() : ex.getMessage();
	}

}
