package dev.visionserve.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

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
			throw new ModelLoadException("model.yaml: unknown key '" + ex.getPropertyName() + "' at "
					+ JacksonPaths.of(ex) + "; known keys: " + ex.getKnownPropertyIds());
		}
		catch (InvalidFormatException ex) {
			Class<?> type = ex.getTargetType();
			String allowed = (type != null && type.isEnum()) ? "; use one of " + Arrays.stream(type.getEnumConstants())
				.map((constant) -> constant.toString().toLowerCase(Locale.ROOT))
				.toList() : "";
			throw new ModelLoadException(
					"model.yaml: '" + ex.getValue() + "' is not a valid value for " + JacksonPaths.of(ex) + allowed);
		}
		catch (MismatchedInputException ex) {
			// Jackson's message names the Java type it wanted; the path is what to fix.
			throw new ModelLoadException("model.yaml: the value at " + JacksonPaths.of(ex) + " has the wrong type");
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
