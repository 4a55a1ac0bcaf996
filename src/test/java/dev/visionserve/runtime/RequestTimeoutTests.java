package dev.visionserve.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RequestTimeoutTests {

	private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	@Test
	void readsDecimalSeconds() {
		assertThat(RequestTimeout.parse("Request-Timeout", "0.5").requested()).isEqualTo(Duration.ofMillis(500));
		assertThat(RequestTimeout.parse("Request-Timeout", " 2 ").requested()).isEqualTo(Duration.ofSeconds(2));
		assertThat(RequestTimeout.parse("Request-Timeout", ".25").requested()).isEqualTo(Duration.ofMillis(250));
		assertThat(RequestTimeout.parse("Request-Timeout", "0.000001").requested()).isEqualTo(Duration.ofNanos(1000));
	}

	@ParameterizedTest
	@ValueSource(
			strings = { "", "abc", "-1", "0", "0.000", "1e3", "NaN", "Infinity", "1,5", "+1", "1.2.3", "0.0000000001" })
	void refusesAnythingButAPositiveNumberOfSecondsNamingTheHeader(String value) {
		assertThatExceptionOfType(InvalidParameterException.class)
			.isThrownBy(() -> RequestTimeout.from(Map.of("X-Request-Timeout", value)::get))
			.withMessageContaining("Header 'X-Request-Timeout' must be a positive number of seconds")
			.satisfies((ex) -> assertThat(ex.parameter()).isEqualTo("X-Request-Timeout"));
	}

	@Test
	void prefersRequestTimeoutOverTheXHeader() {
		RequestTimeout timeout = RequestTimeout.from(Map.of("Request-Timeout", "1", "X-Request-Timeout", "2")::get);
		assertThat(timeout.requested()).isEqualTo(Duration.ofSeconds(1));
		assertThat(RequestTimeout.from(Map.of("X-Request-Timeout", "3")::get).requested())
			.isEqualTo(Duration.ofSeconds(3));
		assertThat(RequestTimeout.from(Map.<String, String>of()::get)).isEqualTo(RequestTimeout.NONE);
	}

	@Test
	void isCappedByTheModelTimeout() {
		Duration model = Duration.ofSeconds(30);
		assertThat(RequestTimeout.parse("Request-Timeout", "0.5").deadline(START, model))
			.isEqualTo(START.plusMillis(500));
		assertThat(RequestTimeout.parse("Request-Timeout", "999999").deadline(START, model))
			.isEqualTo(START.plusSeconds(30));
		assertThat(RequestTimeout.NONE.deadline(START, model)).isEqualTo(START.plusSeconds(30));
	}

}
