package dev.visionserve.system;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import dev.visionserve.classify.ClassifierSupport;
import dev.visionserve.runtime.ModelLoader;
import dev.visionserve.runtime.ModelRepository;
import dev.visionserve.runtime.OrtRuntime;
import dev.visionserve.runtime.SessionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring stops and restarts the lifecycle of a cached test context between test classes
 * (and an application may be stopped and started too): the models must survive that, and
 * close only when the context is destroyed.
 */
class ModelRepositoryLifecycleTests {

	@Test
	void keepsTheModelsAcrossStopAndStartAndClosesThemOnDestroy() throws Exception {
		ModelRepository repository = repository();
		boolean[] featuresClosed = { false };
		ModelRepositoryLifecycle lifecycle = new ModelRepositoryLifecycle(repository, () -> featuresClosed[0] = true);
		lifecycle.start();
		awaitLoaded(repository);
		assertThat(repository.allReady()).isTrue();
		lifecycle.stop();
		assertThat(lifecycle.isRunning()).isFalse();
		lifecycle.start();
		assertThat(lifecycle.isRunning()).isTrue();
		assertThat(repository.allReady()).isTrue();
		assertThat(repository.require("cifar-style", "classifier")).isNotNull();
		assertThat(featuresClosed[0]).isFalse();
		lifecycle.destroy();
		assertThat(featuresClosed[0]).isTrue();
	}

	@Test
	void waitsForAModelBeingLoadedWhenDestroyedDuringStartUp() throws Exception {
		ModelRepository repository = repository();
		ModelRepositoryLifecycle lifecycle = new ModelRepositoryLifecycle(repository, () -> {
		});
		lifecycle.start();
		lifecycle.destroy();
		// The JVM may exit right after destroy(): no native warm-up may still be running
		// then.
		assertThat(repository.loadingFinished()).isTrue();
	}

	private static ModelRepository repository() {
		OrtRuntime runtime = new OrtRuntime();
		return new ModelRepository(Path.of("src/test/resources/config-only-models"), new ModelLoader(runtime,
				new SessionFactory(runtime, false), new SimpleMeterRegistry(), List.of(new ClassifierSupport()), 2));
	}

	private static void awaitLoaded(ModelRepository repository) throws InterruptedException {
		Instant deadline = Instant.now().plusSeconds(60);
		while (!repository.loadingFinished()) {
			assertThat(Instant.now()).as("loading did not finish").isBefore(deadline);
			Thread.sleep(20);
		}
	}

}
