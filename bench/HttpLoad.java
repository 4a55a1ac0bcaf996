import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop HTTP load generator for {@code /classify}: {@code concurrency} clients,
 * each sending its next request as soon as its last one is answered, for a fixed time
 * or for a fixed number of requests in all ({@code requests=N} in place of the seconds),
 * every request a multipart upload of {@code images} copies of one image. Java's own
 * HTTP client, so nothing has to be installed, and its CPU use is printed so a report
 * can say how much of the machine the load generator took (client CPU seconds during the
 * window, divided by elapsed seconds: the cores it used).
 *
 * <p>
 * A sequential warm-up (at least one request, for a quarter of the window, at most 0.5 s)
 * comes first; then all clients start together (a new connection costs a millisecond on
 * loopback, so each opens its own inside the window); requests in flight when the window ends are waited for
 * and counted, and the rate is over the time to the last answer. One thread per client;
 * the program runs once and exits.
 *
 * <p>
 * {@code java bench/HttpLoad.java URL IMAGE CONCURRENCY IMAGES_PER_REQUEST SECONDS|requests=N}
 * prints {@code requests=… images_per_s=… p50_ms=… p99_ms=… errors=… client_cpu_s=…}.
 */
public final class HttpLoad {

	public static void main(String[] args) throws Exception {
		if (args.length != 5) {
			System.err.println("usage: HttpLoad URL IMAGE CONCURRENCY IMAGES_PER_REQUEST SECONDS|requests=N");
			System.exit(2);
		}
		URI uri = URI.create(args[0]);
		byte[] image = Files.readAllBytes(Path.of(args[1]));
		int concurrency = Integer.parseInt(args[2]);
		int perRequest = Integer.parseInt(args[3]);
		boolean byCount = args[4].startsWith("requests=");
		double seconds = byCount ? 0 : Double.parseDouble(args[4]);
		// The requests still to send in count mode; the warm-up is not counted.
		AtomicLong remaining = new AtomicLong(byCount ? Long.parseLong(args[4].substring(9)) : Long.MAX_VALUE);
		String boundary = "----httpload";
		String type = args[1].toLowerCase().matches(".*\\.jpe?g") ? "image/jpeg" : "image/png";
		byte[] body = multipart(boundary, image, perRequest, type);
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		HttpRequest request = HttpRequest.newBuilder(uri)
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.timeout(Duration.ofSeconds(60))
			.POST(HttpRequest.BodyPublishers.ofByteArray(body))
			.build();
		// Warm-up (the client's JIT, a connection, the service's first requests), sequential so
		// that a slow model is not handed a backlog of batches to drain before the window.
		long warmEnd = System.nanoTime() + (long) ((byCount ? 0.5 : Math.min(0.5, seconds / 4)) * 1e9);
		do {
			client.send(request, HttpResponse.BodyHandlers.discarding());
		}
		while (System.nanoTime() < warmEnd);
		List<List<Long>> latencies = new ArrayList<>();
		AtomicLong errors = new AtomicLong();
		CountDownLatch started = new CountDownLatch(concurrency);
		CountDownLatch go = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(concurrency);
		long[] window = new long[1];
		for (int c = 0; c < concurrency; c++) {
			List<Long> mine = new ArrayList<>();
			latencies.add(mine);
			new Thread(() -> {
				try {
					started.countDown();
					go.await();
					long end = byCount ? Long.MAX_VALUE : window[0] + (long) (seconds * 1e9);
					while (System.nanoTime() < end && remaining.getAndDecrement() > 0) {
						long sent = System.nanoTime();
						HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
						if (response.statusCode() == 200) {
							mine.add(System.nanoTime() - sent);
						}
						else {
							errors.incrementAndGet();
						}
					}
				}
				catch (Exception ex) {
					errors.incrementAndGet();
				}
				finally {
					done.countDown();
				}
			}).start();
		}
		started.await();
		long cpuBefore = cpuNanos();
		// Requests still running when the window closes are counted and waited for: a
		// saturated server stays busy until the last one, so the rate stays unbiased.
		long start = System.nanoTime();
		window[0] = start;
		go.countDown();
		done.await();
		double elapsed = (System.nanoTime() - start) / 1e9;
		double cpu = (cpuNanos() - cpuBefore) / 1e9;
		List<Long> all = new ArrayList<>();
		latencies.forEach(all::addAll);
		Collections.sort(all);
		System.out.printf("requests=%d images_per_s=%.1f p50_ms=%.1f p99_ms=%.1f errors=%d client_cpu_s=%.1f elapsed_s=%.1f%n",
				all.size(), all.size() * perRequest / elapsed, percentile(all, 0.50), percentile(all, 0.99), errors.get(),
				cpu, elapsed);
	}

	private static double percentile(List<Long> sorted, double q) {
		if (sorted.isEmpty()) {
			return Double.NaN;
		}
		return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)) / 1e6;
	}

	private static long cpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
			.getOperatingSystemMXBean()).getProcessCpuTime();
	}

	private static byte[] multipart(String boundary, byte[] image, int count, String type) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (int i = 0; i < count; i++) {
			body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"i" + i
					+ "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
			body.writeBytes(image);
			body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
		}
		body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return body.toByteArray();
	}

}
