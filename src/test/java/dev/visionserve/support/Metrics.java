package dev.visionserve.support;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads values out of a Prometheus text exposition.
 */
public final class Metrics {

	private Metrics() {
	}

	/**
	 * The value of the one series of {@code name} whose labels include every given
	 * {@code key="value"}.
	 */
	public static double value(String exposition, String name, String... labels) {
		Matcher matcher = series(exposition, name, labels);
		assertThat(matcher.find()).as("series " + name + List.of(labels) + " in\n" + exposition).isTrue();
		return Double.parseDouble(matcher.group(1));
	}

	/** Like {@link #value}, but 0 when no such series has been created yet. */
	public static double valueOrZero(String exposition, String name, String... labels) {
		Matcher matcher = series(exposition, name, labels);
		return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
	}

	private static Matcher series(String exposition, String name, String... labels) {
		StringBuilder pattern = new StringBuilder("(?m)^").append(Pattern.quote(name)).append("\\{");
		for (String label : labels) {
			pattern.append("(?=[^}]*").append(Pattern.quote(label)).append(")");
		}
		pattern.append("[^}]*\\} (\\S+)$");
		return Pattern.compile(pattern.toString()).matcher(exposition);
	}

}
