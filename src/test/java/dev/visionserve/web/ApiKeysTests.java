package dev.visionserve.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiKeysTests {

	@Test
	void matchesEveryConfiguredKeyExactly() {
		ApiKeys keys = ApiKeys.of(List.of("first-key-0123456789", "second-key-abcdef"));
		assertThat(keys.enabled()).isTrue();
		assertThat(keys.size()).isEqualTo(2);
		assertThat(keys.matches("first-key-0123456789")).isTrue();
		assertThat(keys.matches("second-key-abcdef")).isTrue();
	}

	@Test
	void rejectsPrefixesExtensionsCaseChangesAndNothing() {
		ApiKeys keys = ApiKeys.of(List.of("first-key-0123456789"));
		assertThat(keys.matches("first-key-012345678")).isFalse();
		assertThat(keys.matches("first-key-01234567890")).isFalse();
		assertThat(keys.matches("FIRST-KEY-0123456789")).isFalse();
		assertThat(keys.matches("")).isFalse();
		assertThat(keys.matches(null)).isFalse();
	}

	@Test
	void ignoresBlankEntriesAndSurroundingWhiteSpace() {
		ApiKeys keys = ApiKeys.of(Arrays.asList(" padded-key \n", "", "  ", null));
		assertThat(keys.size()).isEqualTo(1);
		assertThat(keys.matches("padded-key")).isTrue();
	}

	@Test
	void isOffWithoutKeysAndThenMatchesNothing() {
		ApiKeys keys = ApiKeys.of(List.of("", " "));
		assertThat(keys.enabled()).isFalse();
		assertThat(keys.matches("")).isFalse();
		assertThat(keys.matches("anything")).isFalse();
	}

	@Test
	void neverShowsTheKeys() {
		assertThat(ApiKeys.of(List.of("secret-key-value")).toString()).doesNotContain("secret").isEqualTo("ApiKeys[1]");
	}

	@Test
	void readsOneKeyPerLineSkippingBlankLinesAndComments(@TempDir Path dir) throws Exception {
		Path file = Files.writeString(dir.resolve("keys"), "# rotated 2026-11\nkey-one\r\n\n  key-two  \n");
		assertThat(ApiKeys.read(file)).containsExactly("key-one", "key-two");
	}

	@Test
	void refusesAKeysFileThatIsMissingOrHoldsNoKey(@TempDir Path dir) throws Exception {
		assertThatThrownBy(() -> ApiKeys.read(dir.resolve("absent"))).hasMessageContaining("Cannot read");
		Path empty = Files.writeString(dir.resolve("empty"), "\n# nothing\n");
		assertThatIllegalStateException().isThrownBy(() -> ApiKeys.read(empty)).withMessageContaining("holds no key");
	}

	@Test
	void publicPathsAreTheProbesTheScrapeTheDocsAndThePlaygroundOnly() {
		assertThat(List.of("/", "/index.html", "/playground.js", "/playground.css", "/actuator/health",
				"/actuator/health/readiness", "/actuator/info", "/actuator/prometheus", "/swagger-ui.html",
				"/swagger-ui/index.html", "/v3/api-docs", "/v3/api-docs/swagger-config"))
			.allMatch(ApiKeyFilter::isPublic);
		assertThat(List.of("/classify", "/generate", "/models", "/models/fashion-resnet", "/v2/models", "/error",
				"/actuator", "/actuator/env", "/actuator/prometheus/x", "/playground.js/../classify", "/index.htm",
				"/actuator/healthz", "/classify/"))
			.noneMatch(ApiKeyFilter::isPublic);
	}

}
