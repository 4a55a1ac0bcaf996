package dev.visionserve.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTP client against the server under test, with the multipart encoding done by
 * hand so the test sends exactly what a curl user would. Thread-safe.
 */
public final class HttpTestClient {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final String base;

	public HttpTestClient(int port) {
		this.base = "http://localhost:" + port;
	}

	public HttpResponse<String> get(String path) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path)).GET());
	}

	public HttpResponse<String> postMultipart(String path, List<byte[]> images) {
		return send(multipart(path, images));
	}

	/**
	 * @param headers names and values, alternating
	 */
	public HttpResponse<String> postMultipart(String path, List<byte[]> images, String... headers) {
		return send(multipart(path, images).headers(headers));
	}

	/**
	 * @param headers names and values, alternating
	 */
	public HttpResponse<String> postJson(String path, String json, String... headers) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path))
			.header("Content-Type", "application/json")
			.headers(headers)
			.POST(HttpRequest.BodyPublishers.ofString(json)));
	}

	/** A multipart POST of the images as {@code image} parts, ready to send. */
	public HttpRequest.Builder multipart(String path, List<byte[]> images) {
		String boundary = "----visionserve" + UUID.randomUUID();
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (int i = 0; i < images.size(); i++) {
			write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"image" + i
					+ ".png\"\r\nContent-Type: image/png\r\n\r\n");
			body.writeBytes(images.get(i));
			write(body, "\r\n");
		}
		write(body, "--" + boundary + "--\r\n");
		return HttpRequest.newBuilder(URI.create(this.base + path))
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
	}

	/**
	 * A multipart POST of named file parts (as PNG) and form fields, in the maps' order,
	 * ready to send.
	 */
	public HttpRequest.Builder multipart(String path, Map<String, byte[]> files, Map<String, String> fields) {
		String boundary = "----visionserve" + UUID.randomUUID();
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		files.forEach((name, bytes) -> {
			write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\""
					+ name + ".png\"\r\nContent-Type: image/png\r\n\r\n");
			body.writeBytes(bytes);
			write(body, "\r\n");
		});
		fields.forEach((name, value) -> write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\""
				+ name + "\"\r\n\r\n" + value + "\r\n"));
		write(body, "--" + boundary + "--\r\n");
		return HttpRequest.newBuilder(URI.create(this.base + path))
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
	}

	public HttpResponse<String> postBody(String path, String contentType, byte[] body) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path))
			.header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body)));
	}

	public HttpResponse<String> postJson(String path, String json) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json)));
	}

	public HttpResponse<byte[]> postJsonForBytes(String path, String json, String accept) {
		try {
			return this.client.send(HttpRequest.newBuilder(URI.create(this.base + path))
				.header("Content-Type", "application/json")
				.header("Accept", accept)
				.timeout(Duration.ofSeconds(120))
				.POST(HttpRequest.BodyPublishers.ofString(json))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Opens a server-sent event stream; the caller reads lines and closes it (closing
	 * hangs up on the server).
	 */
	public HttpResponse<java.io.InputStream> openEventStream(String path, String json) {
		try {
			return this.client.send(HttpRequest.newBuilder(URI.create(this.base + path))
				.header("Content-Type", "application/json")
				.header("Accept", "text/event-stream")
				.timeout(Duration.ofSeconds(120))
				.POST(HttpRequest.BodyPublishers.ofString(json))
				.build(), HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * @return the value of the one series of {@code name} whose labels include each
	 * {@code key="value"}
	 */
	public double metric(String name, String... labels) {
		return Metrics.value(get("/actuator/prometheus").body(), name, labels);
	}

	public HttpResponse<byte[]> sendForBytes(HttpRequest.Builder request) {
		try {
			return this.client.send(request.timeout(Duration.ofSeconds(300)).build(),
					HttpResponse.BodyHandlers.ofByteArray());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.client.send(request.timeout(Duration.ofSeconds(300)).build(),
					HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public static JsonNode json(HttpResponse<String> response) {
		return json(response.body());
	}

	public static JsonNode json(String text) {
		return JSON.readTree(text);
	}

	/**
	 * Polls readiness until it is UP, failing after the timeout: models load and warm up
	 * after the port opens.
	 */
	public void awaitReady(Duration timeout) throws InterruptedException {
		Instant deadline = Instant.now().plus(timeout);
		HttpResponse<String> last = null;
		while (Instant.now().isBefore(deadline)) {
			last = get("/actuator/health/readiness");
			if (last.statusCode() == 200) {
				return;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("not ready after " + timeout + ": " + ((last != null) ? last.body() : "no answer"));
	}

	private static void write(ByteArrayOutputStream out, String text) {
		out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
	}

}
