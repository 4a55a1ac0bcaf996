package dev.visionserve.deploy;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression (or a Grafana {@code label_values(...)} variable
 * query) reads, so that a dashboard or an alert can be checked against what the
 * application really exports. Not a parser: it removes what cannot be a metric name
 * (strings, label matchers, ranges, grouping clauses, functions, keywords) and keeps the
 * identifiers left. Stateless.
 */
final class PromQl {

	private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");

	private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");

	private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");

	private static final Pattern GROUPING = Pattern
		.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

	private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:$])[a-zA-Z_:][a-zA-Z0-9_:]*");

	private static final Pattern FUNCTION_CALL = Pattern.compile("\\s*\\(");

	private static final Pattern LABEL_VALUES = Pattern
		.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_]\\w*\\s*\\)\\s*$");

	private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
			"ignoring", "group_left", "group_right", "atan2", "inf", "nan", "Inf", "NaN");

	private PromQl() {
	}

	/**
	 * @param query a PromQL expression, or a Grafana
	 * {@code label_values(selector, label)} query
	 * @return the metric names it reads, in order of appearance
	 */
	static Set<String> metricNames(String query) {
		Matcher labelValues = LABEL_VALUES.matcher(query);
		String expression = labelValues.matches() ? labelValues.group(1) : query;
		String stripped = STRING.matcher(expression).replaceAll(" ");
		stripped = MATCHERS.matcher(stripped).replaceAll(" ");
		stripped = RANGE.matcher(stripped).replaceAll(" ");
		stripped = GROUPING.matcher(stripped).replaceAll(" ");
		Set<String> names = new LinkedHashSet<>();
		Matcher identifier = IDENTIFIER.matcher(stripped);
		while (identifier.find()) {
			String name = identifier.group();
			boolean called = FUNCTION_CALL.matcher(stripped).region(identifier.end(), stripped.length()).lookingAt();
			if (!called && !KEYWORDS.contains(name)) {
				names.add(name);
			}
		}
		return names;
	}

}
