package dev.visionserve.generate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream never blocks its caller (the engine's lane): a client that stops reading
 * loses its previews, then its job.
 */
class EventStreamTests {

	private final ExecutorService writers = Executors.newCachedThreadPool();

	@AfterEach
	void stopWriters() {
		this.writers.shutdownNow();
	}

	@Test
	void sendsEveryEventInOrderThenCompletes() throws Exception {
		RecordingEmitter emitter = new RecordingEmitter(null);
		EventStream stream = new EventStream(emitter, this.writers, () -> {
		});
		for (int step = 1; step <= 20; step++) {
			stream.progress(step, 20, step);
		}
		stream.end(SseEmitter.event().name("result").data("done"));
		assertThat(emitter.completed.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(emitter.sent).hasSize(21);
		for (int step = 1; step <= 20; step++) {
			assertThat(emitter.sent.get(step - 1)).containsPattern("[{ ]step=" + step + "[,}]");
		}
		assertThat(emitter.sent.get(20)).contains("event:result");
	}

	@Test
	void neverBlocksTheLaneOnAClientThatStopsReadingAndCancelsItsJobWhenTooFarBehind() throws Exception {
		CountDownLatch socketFull = new CountDownLatch(1);
		RecordingEmitter emitter = new RecordingEmitter(socketFull);
		AtomicInteger previewsDropped = new AtomicInteger();
		EventStream stream = new EventStream(emitter, this.writers, previewsDropped::incrementAndGet);
		List<String> cancelled = new CopyOnWriteArrayList<>();
		stream.attach(cancelled::add);
		long start = System.nanoTime();
		int step = 0;
		while (cancelled.isEmpty() && step < 10_000) {
			step++;
			stream.progress(step, 10_000, step);
			if (stream.wantsPreview()) {
				stream.preview(step, List.of(new byte[] { 1 }));
			}
		}
		long millis = (System.nanoTime() - start) / 1_000_000;
		assertThat(cancelled).first().isEqualTo(DiffusionEngine.CANCELLED_SLOW_CLIENT);
		// The first write blocks for good (if the writer got to it yet); the queue holds
		// MAX_QUEUED events, a preview or two among them; then the job is cancelled.
		assertThat(step).isBetween(EventStream.MAX_QUEUED - 2, EventStream.MAX_QUEUED + 1);
		assertThat(previewsDropped.get()).isGreaterThanOrEqualTo(EventStream.MAX_QUEUED - 2);
		assertThat(millis).as("the caller never waited for the socket").isLessThan(2_000);
		socketFull.countDown();
	}

	@Test
	void cancelsTheJobAsClientGoneWhenAWriteFails() throws Exception {
		RecordingEmitter emitter = new RecordingEmitter(null);
		emitter.failing = true;
		EventStream stream = new EventStream(emitter, this.writers, () -> {
		});
		CompletableFuture<String> cancelled = new CompletableFuture<>();
		stream.attach(cancelled::complete);
		stream.progress(1, 10, 1);
		assertThat(cancelled.get(10, TimeUnit.SECONDS)).isEqualTo(DiffusionEngine.CANCELLED_CLIENT);
	}

	/**
	 * Records what is sent; optionally blocks every send until released, like a full
	 * socket.
	 */
	private static final class RecordingEmitter extends SseEmitter {

		private final CountDownLatch blockUntil;

		private final List<String> sent = new ArrayList<>();

		private final CountDownLatch completed = new CountDownLatch(1);

		private volatile boolean failing;

		RecordingEmitter(CountDownLatch blockUntil) {
			this.blockUntil = blockUntil;
		}

		@Override
		public void send(SseEventBuilder builder) throws IOException {
			if (this.failing) {
				throw new IOException("Broken pipe");
			}
			if (this.blockUntil != null) {
				try {
					this.blockUntil.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			StringBuilder text = new StringBuilder();
			builder.build().forEach((part) -> text.append(part.getData()));
			synchronized (this.sent) {
				this.sent.add(text.toString());
			}
		}

		@Override
		public void complete() {
			this.completed.countDown();
		}

	}

}
