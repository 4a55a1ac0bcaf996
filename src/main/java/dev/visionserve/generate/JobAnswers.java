package dev.visionserve.generate;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Answers the jobs of {@code /generate} and the editing endpoints: once they are done, or
 * as a server-sent event stream. Either way the job is cancelled when its client goes
 * away. Thread-safe; a singleton.
 */
@Component
class JobAnswers implements DisposableBean {

	private final MeterRegistry registry;

	private final HangUpWatch hangUps = new HangUpWatch();

	/**
	 * Writes event streams, so that no lane ever blocks on a socket; a client that stops
	 * reading holds one of these threads until the container's write timeout.
	 */
	private final ExecutorService writers;

	JobAnswers(MeterRegistry registry) {
		this.registry = registry;
		CustomizableThreadFactory threads = new CustomizableThreadFactory("sse-writer-");
		threads.setDaemon(true);
		this.writers = Executors.newCachedThreadPool(threads);
	}

	/**
	 * Answers when the job is done; until then the client's connection is watched, so a
	 * client that hangs up cancels its job within two seconds instead of at the deadline.
	 */
	<T> DeferredResult<ResponseEntity<T>> whenDone(GenerationJob job, HttpServletRequest request,
			Function<List<byte[]>, ResponseEntity<T>> answer) {
		DeferredResult<ResponseEntity<T>> result = new DeferredResult<>();
		HangUpWatch.Connection connection = this.hangUps.watch(request.getLocalPort(), request.getRemotePort(),
				() -> job.cancel(DiffusionEngine.CANCELLED_CLIENT));
		result.onTimeout(() -> job.cancel(DiffusionEngine.CANCELLED_CLIENT));
		result.onError((ex) -> job.cancel(DiffusionEngine.CANCELLED_CLIENT));
		job.result().whenComplete((pngs, failure) -> {
			this.hangUps.unwatch(connection);
			if (failure != null) {
				result.setErrorResult(failure);
			}
			else {
				result.setResult(answer.apply(pngs));
			}
		});
		return result;
	}

	/**
	 * Streams {@code progress}, {@code preview} and finally {@code result} (or
	 * {@code error}) events.
	 * @param model the model's name, for the dropped-previews metric
	 * @param start queues the job with the stream as its listener
	 * @param result the {@code result} event's data
	 */
	SseEmitter stream(String model, Function<GenerationListener, GenerationJob> start,
			BiFunction<GenerationJob, List<byte[]>, Object> result) {
		SseEmitter emitter = new SseEmitter(0L);
		EventStream events = new EventStream(emitter, this.writers, () -> previewsDropped(model).increment());
		GenerationJob job = start.apply(events);
		events.attach(job::cancel);
		emitter.onCompletion(() -> job.cancel(DiffusionEngine.CANCELLED_CLIENT));
		emitter.onError((ex) -> job.cancel(DiffusionEngine.CANCELLED_CLIENT));
		emitter.onTimeout(() -> job.cancel(DiffusionEngine.CANCELLED_CLIENT));
		job.result()
			.whenComplete((pngs, failure) -> events.end((failure == null)
					? SseEmitter.event().name("result").data(result.apply(job, pngs), MediaType.APPLICATION_JSON)
					: SseEmitter.event().name("error").data(StreamError.of(failure), MediaType.APPLICATION_JSON)));
		return emitter;
	}

	private Counter previewsDropped(String model) {
		return Counter.builder("visionserve.diffusion.previews.dropped")
			.description("Previews not sent because the streaming client was behind")
			.tag("model", model)
			.register(this.registry);
	}

	@Override
	public void destroy() {
		this.hangUps.close();
		this.writers.shutdown();
	}

}
