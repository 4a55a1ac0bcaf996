package dev.visionserve.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.io.TempDir;

import dev.visionserve.support.FuzzDeadline;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@code model.yaml} parsing: whatever the bytes, the reader returns a config or
 * throws {@link ModelLoadException}; any other exception, an error or a hang is a
 * finding. Without {@code JAZZER_FUZZ} this runs the committed inputs in
 * {@code ModelConfigReaderFuzzTestsInputs/} as regression tests (docs/testing.md).
 */
class ModelConfigReaderFuzzTests {

	@TempDir
	static Path folder;

	private final ModelConfigReader reader = new ModelConfigReader();

	@FuzzTest
	void readsAConfigOrRejectsIt(byte[] yaml) throws Exception {
		Path file = folder.resolve("model.yaml");
		Files.write(file, yaml);
		FuzzDeadline.within(() -> {
			try {
				ModelConfig config = this.reader.read(file);
				assertThat(config.kind()).isNotBlank();
				assertThat(config.batching().timeoutDuration()).isPositive();
				config.parsedDevices();
			}
			catch (ModelLoadException ex) {
				assertThat(ex.getMessage()).isNotBlank();
			}
			return null;
		});
	}

}
