package dev.visionserve.generate;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter.SseEventBuilder;

/**
 * One client's server-sent event stream, written off the engine's lanes. The lane only
 * queues an event (never blocks on the socket); a writer thread sends the queue in order.
 * A client that falls behind (events of earlier steps are still queued) gets no previews;
 * one with {@link #MAX_QUEUED} events queued is too far behind and its job is cancelled
 * ({@code slow_client}), so a client that stops reading costs one blocked writer thread
 * and a bounded queue, never a lane.
 *
 * <p>
 * Thread-safe: the lane, the job's completion and the writer meet under this object's
 * lock.
 */
final class EventStream implements GenerationListener {

	/**
	 * Progress events are a few dozen bytes; this many queued means the socket has not
	 * taken anything for many steps after its buffers filled.
	 */
	static final int MAX_QUEUED = 64;

	private final SseEmitter emitter;

	private final Executor writers;

	private final Runnable previewDropped;

	private final Deque<SseEventBuilder> queue = new ArrayDeque<>();

	private volatile Consumer<String> cancelJob = (reason) -> {
	};

	private boolean writing;

	private boolean ended;

	/**
	 * @param emitter the client's stream
	 * @param writers runs the writes; a stalled client holds one of its threads
	 * @param previewDropped told of every preview skipped because the client was behind
	 */
	EventStream(SseEmitter emitter, Executor writers, Runnable previewDropped) {
		this.emitter = emitter;
		this.writers = writers;
		this.previewDropped = previewDropped;
	}

	/**
	 * @param cancelJob cancels the job whose events these are, with a reason (the job
	 * keeps the first one)
	 */
	void attach(Consumer<String> cancelJob) {
		this.cancelJob = cancelJob;
	}

	@Override
	public void progress(int step, int totalSteps, long elapsedMillis) {
		offer(SseEmitter.event()
			.name("progress")
			.data(Map.of("step", step, "totalSteps", totalSteps, "elapsed", elapsedMillis), MediaType.APPLICATION_JSON),
				false);
	}

	@Override
	public boolean wantsPreview() {
		boolean behind;
		synchronized (this) {
			// The step's own progress event may still be queued; more means the client
			// has not kept up.
			behind = this.queue.size() > 1;
		}
		if (behind) {
			this.previewDropped.run();
		}
		return !behind;
	}

	@Override
	public void preview(int step, List<byte[]> pngs) {
		List<String> images = pngs.stream().map((png) -> Base64.getEncoder().encodeToString(png)).toList();
		offer(SseEmitter.event()
			.name("preview")
			.data(Map.of("step", step, "images", images), MediaType.APPLICATION_JSON), false);
	}

	/**
	 * The last event ({@code result} or {@code error}); the stream completes after it.
	 */
	void end(SseEventBuilder last) {
		offer(last, true);
	}

	private void offer(SseEventBuilder event, boolean last) {
		boolean tooFarBehind = false;
		synchronized (this) {
			if (this.ended) {
				return;
			}
			if (!last && this.queue.size() >= MAX_QUEUED) {
				tooFarBehind = true;
			}
			else {
				this.queue.addLast(event);
				this.ended = last;
				if (!this.writing) {
					this.writing = true;
					this.writers.execute(this::write);
				}
			}
		}
		if (tooFarBehind) {
			this.cancelJob.accept(DiffusionEngine.CANCELLED_SLOW_CLIENT);
		}
	}

	/** Sends what is queued, in order, until the queue is empty; one writer at a time. */
	private void write() {
		while (true) {
			SseEventBuilder event;
			boolean last;
			synchronized (this) {
				event = this.queue.pollFirst();
				if (event == null) {
					this.writing = false;
					return;
				}
				last = this.ended && this.queue.isEmpty();
			}
			try {
				this.emitter.send(event);
				if (last) {
					this.emitter.complete();
				}
			}
			catch (IOException | IllegalStateException ex) {
				clientGone();
				return;
			}
		}
	}

	private void clientGone() {
		synchronized (this) {
			this.queue.clear();
			this.ended = true;
			this.writing = false;
		}
		this.cancelJob.accept(DiffusionEngine.CANCELLED_CLIENT);
	}

}
