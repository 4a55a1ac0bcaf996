package dev.visionserve.generate.scheduler;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads the diffusers spelling of a configuration value into one of this package's enums,
 * whose constant names are those spellings in upper case. Stateless.
 */
final class EnumNames {

	private EnumNames() {
	}

	/**
	 * @param type the enum to read
	 * @param text the diffusers spelling; case-insensitive, {@code -} and {@code _} alike
	 * @param what what the value configures, for the error message
	 * @return the matching constant
	 * @throws IllegalArgumentException listing the valid spellings when none matches
	 */
	static <E extends Enum<E>> E parse(Class<E> type, String text, String what) {
		if (text != null) {
			String wanted = text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
			for (E constant : type.getEnumConstants()) {
				if (constant.name().equals(wanted)) {
					return constant;
				}
			}
		}
		throw new IllegalArgumentException(
				"Unknown " + what + " '" + text + "'; expected one of " + spellings(type.getEnumConstants()));
	}

	/**
	 * @return the diffusers spelling of a constant
	 */
	static String spelling(Enum<?> constant) {
		return constant.name().toLowerCase(Locale.ROOT);
	}

	private static String spellings(Enum<?>[] constants) {
		return Arrays.stream(constants).map(EnumNames::spelling).collect(Collectors.joining(", "));
	}

}
