package dev.visionserve.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * An extra CPU session with all the cores, shared by the workers of one model. Its narrow
 * sessions (one thread each, one per worker) share the cores best while batches overlap,
 * but hold a lone batch (one generation, one client) to one core while the other idles:
 * raw ONNX Runtime runs the shipped denoiser's 2-row step at about 160 rows/s on one
 * 2-thread session and 95 on a 1-thread one, yet 16 rows at 199 on two 1-thread sessions
 * and 145 to 186 on one 2-thread session ({@code bench/generate.sh}, docs/benchmarks.md).
 * So a batch that starts while no other is running, and none has overlapped another for
 * {@link #QUIET_NANOS}, runs here; every other batch runs on its worker's own session.
 *
 * <p>
 * Thread-safe. At most one batch runs on it at a time: only a batch that finds no other
 * running takes it, and the others that start meanwhile see that one. Lives as long as
 * its model, which closes it.
 */
final class SoloSession implements AutoCloseable {

	/**
	 * How long batches must not have overlapped before a lone one runs here again: long
	 * enough that two generation lanes, whose ticks leave gaps of a millisecond between
	 * them, stay on their narrow sessions instead of taking turns oversubscribing the
	 * cores.
	 */
	static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final ModelSession session;

	private final AtomicInteger running = new AtomicInteger();

	private final LongSupplier nanoTime;

	private volatile long lastOverlapNanos;

	SoloSession(ModelSession session) {
		this(session, System::nanoTime);
	}

	SoloSession(ModelSession session, LongSupplier nanoTime) {
		this.session = session;
		this.nanoTime = nanoTime;
		this.lastOverlapNanos = nanoTime.getAsLong() - QUIET_NANOS;
	}

	ModelSession session() {
		return this.session;
	}

	/**
	 * Called by a worker as its batch starts; {@link #finish()} must follow when the
	 * batch is done, whichever session ran it.
	 * @param own the worker's narrow session
	 * @return the session to run the batch on
	 */
	ModelSession start(ModelSession own) {
		long now = this.nanoTime.getAsLong();
		if (this.running.getAndIncrement() > 0) {
			this.lastOverlapNanos = now;
			return own;
		}
		return (now - this.lastOverlapNanos >= QUIET_NANOS) ? this.session : own;
	}

	void finish() {
		this.running.decrementAndGet();
	}

	/**
	 * @return a model's narrow sessions and its solo session, if any: everything to close
	 */
	static List<AutoCloseable> withSessions(List<ModelSession> sessions, SoloSession solo) {
		List<AutoCloseable> all = new ArrayList<>(sessions);
		if (solo != null) {
			all.add(solo);
		}
		return all;
	}

	@Override
	public void close() throws Exception {
		this.session.close();
	}

}
