package dev.visionserve.runtime;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On a machine without CUDA (this CPU build has no CUDA provider at all), a
 * {@code cuda:N} device falls back to the CPU with the cause logged, or fails loading
 * when GPUs are required.
 */
class SessionFactoryTests {

	private static final Path MODEL = Path.of("models/fashion-resnet/model.onnx");

	private final OrtRuntime runtime = new OrtRuntime();

	@Test
	void fallsBackToTheCpuWhenCudaIsUnavailable() throws Exception {
		try (ModelSession session = new SessionFactory(this.runtime, false).open(MODEL, Device.parse("cuda:0"), 1,
				"fashion-resnet")) {
			assertThat(session.requestedDevice()).hasToString("cuda:0");
			assertThat(session.device()).isEqualTo(Device.CPU);
			assertThat(session.inputs()).containsKey("input");
		}
	}

	@Test
	void failsWithTheCauseWhenGpusAreRequired() {
		assertThatThrownBy(
				() -> new SessionFactory(this.runtime, true).open(MODEL, Device.parse("cuda:1"), 1, "fashion-resnet"))
			.isInstanceOf(ModelLoadException.class)
			.hasMessageContaining("CUDA execution provider for cuda:1 unavailable")
			.hasMessageContaining("visionserve.require-gpu=true");
	}

	@Test
	void opensCpuSessionsWithTheRequestedThreads() throws Exception {
		try (ModelSession session = new SessionFactory(this.runtime, true).open(MODEL, Device.CPU, 2,
				"fashion-resnet")) {
			assertThat(session.device()).isEqualTo(Device.CPU);
			assertThat(session.intraOpThreads()).isEqualTo(2);
			assertThat(session.outputs().get("logits").shape()).containsExactly(-1, 10);
		}
	}

}
