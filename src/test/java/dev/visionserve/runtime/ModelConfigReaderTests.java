package dev.visionserve.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelConfigReaderTests {

	@TempDir
	Path folder;

	private final ModelConfigReader reader = new ModelConfigReader();

	private ModelConfig read(String yaml) throws IOException, ModelLoadException {
		Path file = this.folder.resolve("model.yaml");
		Files.writeString(file, yaml);
		return this.reader.read(file);
	}

	@Test
	void fillsDefaultsForEverythingButTheKind() throws Exception {
		ModelConfig config = read("kind: classifier\n");
		assertThat(config.devices()).containsExactly("cpu");
		assertThat(config.instancesPerDevice()).isEqualTo(1);
		assertThat(config.batching().maxBatchSize()).isEqualTo(32);
		assertThat(config.batching().maxQueueDelayDuration()).isZero();
		assertThat(config.batching().timeoutDuration()).isEqualTo(Duration.ofSeconds(30));
		assertThat(config.preprocessing().colorMode()).isEqualTo(ModelConfig.ColorMode.RGB);
		assertThat(config.labels()).isEqualTo("labels.txt");
		assertThat(config.postprocessing().softmax()).isTrue();
	}

	@Test
	void readsAFullConfig() throws Exception {
		ModelConfig config = read("""
				kind: Classifier
				inputs: {image: input}
				outputs: {scores: logits}
				preprocessing:
				  width: 224
				  height: 224
				  colorMode: rgb
				  resize: 256
				  centerCrop: 224
				  mean: [0.485, 0.456, 0.406]
				  std: [0.229, 0.224, 0.225]
				  invert: auto
				batching: {maxBatchSize: 8, maxQueueDelay: 5ms, queueCapacity: 64, timeout: 10s}
				devices: [cuda:0, cuda:1]
				instancesPerDevice: 2
				intraOpThreads: 1
				""");
		assertThat(config.kind()).isEqualTo("classifier");
		assertThat(config.inputs()).containsEntry("image", "input");
		assertThat(config.preprocessing().meanOf(2)).isEqualTo(0.406f);
		assertThat(config.preprocessing().invert()).isEqualTo(ModelConfig.Invert.AUTO);
		assertThat(config.batching().maxQueueDelayDuration()).isEqualTo(Duration.ofMillis(5));
		assertThat(config.parsedDevices()).containsExactly(new Device(Device.Kind.CUDA, 0),
				new Device(Device.Kind.CUDA, 1));
	}

	@Test
	void namesAnUnknownKeyInsteadOfIgnoringIt() {
		assertThatThrownBy(() -> read("kind: classifier\nbatching: {maxBatchSise: 8}\n"))
			.isInstanceOf(ModelLoadException.class)
			.hasMessageContaining("unknown key 'maxBatchSise'");
	}

	@Test
	void explainsAnInvalidValue() {
		assertThatThrownBy(() -> read("kind: classifier\nbatching: {timeout: soon}\n"))
			.isInstanceOf(ModelLoadException.class)
			.hasMessageContaining("batching.timeout 'soon' is not a duration");
		assertThatThrownBy(() -> read("kind: classifier\ndevices: [tpu]\n")).isInstanceOf(ModelLoadException.class)
			.hasMessageContaining("Unknown device 'tpu'");
		assertThatThrownBy(() -> read("kind: classifier\npreprocessing: {colorMode: rgb, mean: [0.1, 0.2]}\n"))
			.isInstanceOf(ModelLoadException.class)
			.hasMessageContaining("preprocessing.mean needs 1 or 3 values");
	}

	@Test
	void requiresTheKind() {
		assertThatThrownBy(() -> read("devices: [cpu]\n")).isInstanceOf(ModelLoadException.class)
			.hasMessageContaining("kind is required");
		assertThatThrownBy(() -> read("")).isInstanceOf(ModelLoadException.class);
	}

	@Test
	void reportsAMissingFile() {
		assertThatThrownBy(() -> this.reader.read(this.folder.resolve("absent.yaml")))
			.isInstanceOf(ModelLoadException.class)
			.hasMessage("model.yaml not found");
	}

}
