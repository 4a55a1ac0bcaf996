package dev.visionserve.system;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples this JVM's used heap (MemoryMXBean) and the process's resident set
 * ({@code VmRSS} of /proc/self/status) every 100 ms on its own daemon thread, keeping the
 * peaks. Lives from construction to {@link #close()}.
 */
final class MemorySampler implements AutoCloseable {

	private final AtomicLong peakHeap = new AtomicLong();

	private final AtomicLong peakRss = new AtomicLong();

	private final Thread thread;

	private volatile boolean running = true;

	MemorySampler() {
		sample();
		this.thread = new Thread(() -> {
			while (this.running) {
				sample();
				try {
					Thread.sleep(100);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}, "overload-memory-sampler");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	private void sample() {
		this.peakHeap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
		this.peakRss.accumulateAndGet(rssBytes(), Math::max);
	}

	/** The process's resident set now, or 0 where /proc is not there. */
	static long rssBytes() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// Not Linux: the bound on RSS cannot be checked, the heap's still is.
		}
		return 0;
	}

	long peakHeapMb() {
		sample();
		return this.peakHeap.get() / (1024 * 1024);
	}

	long peakRssMb() {
		sample();
		return this.peakRss.get() / (1024 * 1024);
	}

	@Override
	public void close() {
		this.running = false;
		this.thread.interrupt();
	}

}
