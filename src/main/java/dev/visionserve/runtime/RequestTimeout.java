package dev.visionserve.runtime;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * How long a client is willing to wait for one request, from its {@code Request-Timeout}
 * header (or {@code X-Request-Timeout}): a positive number of seconds, decimals allowed
 * ({@code 0.5}). The model's {@code batching.timeout} caps it, so a client can shorten
 * its deadline but never lengthen it. Immutable.
 *
 * @param requested what the client asked for, or {@code null} when it asked nothing
 */
public record RequestTimeout(Duration requested) {

	public static final String HEADER = "Request-Timeout";

	public static final String X_HEADER = "X-Request-Timeout";

	/** The client asked for nothing: the model's timeout applies. */
	public static final RequestTimeout NONE = new RequestTimeout(null);

	/** Plain decimal seconds: no sign, no exponent, no NaN or Infinity. */
	private static final Pattern SECONDS = Pattern.compile("(\\d{1,9}(\\.\\d{0,9})?|\\.\\d{1,9})");

	/**
	 * Reads the timeout from a request's headers; {@code Request-Timeout} wins when both
	 * are present.
	 * @param headers a header's value by name, {@code null} when absent
	 * @throws InvalidParameterException naming the header when its value is not a
	 * positive number of seconds
	 */
	public static RequestTimeout from(UnaryOperator<String> headers) {
		String value = headers.apply(HEADER);
		if (value != null) {
			return parse(HEADER, value);
		}
		value = headers.apply(X_HEADER);
		return (value != null) ? parse(X_HEADER, value) : NONE;
	}

	static RequestTimeout parse(String header, String value) {
		String trimmed = value.strip();
		if (!SECONDS.matcher(trimmed).matches()) {
			throw invalid(header, value);
		}
		BigDecimal seconds = new BigDecimal(trimmed);
		if (seconds.signum() <= 0) {
			throw invalid(header, value);
		}
		long nanos = seconds.movePointRight(9).setScale(0, RoundingMode.UP).longValueExact();
		return new RequestTimeout(Duration.ofNanos(nanos));
	}

	private static InvalidParameterException invalid(String header, String value) {
		return new InvalidParameterException(header, "Header '" + header
				+ "' must be a positive number of seconds (decimals allowed, e.g. 0.5), was '" + value + "'");
	}

	/**
	 * @param start when the request began
	 * @param modelTimeout the model's {@code batching.timeout}, the longest any request
	 * may take
	 * @return when the request's work must be done, or dropped unrun
	 */
	public Instant deadline(Instant start, Duration modelTimeout) {
		Duration effective = (this.requested != null && this.requested.compareTo(modelTimeout) < 0) ? this.requested
				: modelTimeout;
		return start.plus(effective);
	}

}
