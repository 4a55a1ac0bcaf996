package dev.visionserve.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends the corpus's requests: through {@link HttpClient} where it can express them, and
 * over a raw socket where it cannot (a query with malformed percent-encoding is not a
 * valid {@link URI}; a Content-Length that lies). Thread-safe.
 */
public final class CorpusClient {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final Pattern CONTENT_LENGTH = Pattern.compile("\r\ncontent-length:\\s*(\\d+)");

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final int port;

	public CorpusClient(int port) {
		this.port = port;
	}

	/**
	 * @param status the HTTP status
	 * @param contentType the Content-Type header, or {@code ""}
	 * @param body the body as text
	 */
	public record Response(int status, String contentType, String body) {

	}

	/**
	 * One part of a multipart body.
	 *
	 * @param name the form name
	 * @param filename the file name, or {@code null} for a plain field
	 * @param contentType the part's type, or {@code null}
	 * @param content the bytes
	 */
	public record Part(String name, String filename, String contentType, byte[] content) {

		public static Part field(String name, String value) {
			return new Part(name, null, null, value.getBytes(StandardCharsets.UTF_8));
		}

	}

	public Response postBody(String path, String contentType, byte[] body, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return send(request);
	}

	public Response postJson(String json) {
		return postBody("/generate", "application/json", json.getBytes(StandardCharsets.UTF_8));
	}

	public Response postImages(String path, List<byte[]> images) {
		return postMultipart(path,
				images.stream().map((image) -> new Part("image", "image.png", "image/png", image)).toList());
	}

	/**
	 * @param headers extra headers, name then value
	 */
	public Response postMultipart(String path, List<Part> parts, String... headers) {
		String boundary = "----corpus" + UUID.randomUUID();
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (Part part : parts) {
			StringBuilder head = new StringBuilder("--").append(boundary)
				.append("\r\nContent-Disposition: form-data; name=\"")
				.append(part.name())
				.append('"');
			if (part.filename() != null) {
				head.append("; filename=\"").append(part.filename()).append('"');
			}
			if (part.contentType() != null) {
				head.append("\r\nContent-Type: ").append(part.contentType());
			}
			body.writeBytes(head.append("\r\n\r\n").toString().getBytes(StandardCharsets.UTF_8));
			body.writeBytes(part.content());
			body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
		}
		body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
		return postBody(path, "multipart/form-data; boundary=" + boundary, body.toByteArray(), headers);
	}

	public Response send(String method, String path, String contentType, byte[] body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofByteArray(body)
					: HttpRequest.BodyPublishers.noBody());
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		return send(request);
	}

	/**
	 * Writes {@code head} (request line and headers, ending with an empty line) and
	 * {@code body} as they are, and reads the answer until the server closes.
	 */
	public Response raw(String head, byte[] body) {
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			OutputStream out = socket.getOutputStream();
			out.write(head.getBytes(StandardCharsets.ISO_8859_1));
			out.write(body);
			out.flush();
			return parse(readAnswer(socket.getInputStream()));
		}
		catch (IOException ex) {
			throw new IllegalStateException("raw request failed: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Reads one answer up to its end as its headers frame it: a server may keep the
	 * connection open after answering (Tomcat does while a declared body is still owed).
	 */
	private static byte[] readAnswer(InputStream in) throws IOException {
		ByteArrayOutputStream answer = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		int read;
		while ((read = in.read(buffer)) >= 0) {
			answer.write(buffer, 0, read);
			if (isComplete(answer.toByteArray())) {
				break;
			}
		}
		return answer.toByteArray();
	}

	private static boolean isComplete(byte[] bytes) {
		String text = new String(bytes, StandardCharsets.ISO_8859_1);
		int end = text.indexOf("\r\n\r\n");
		if (end < 0) {
			return false;
		}
		String head = text.substring(0, end).toLowerCase();
		int bodyLength = text.length() - end - 4;
		Matcher length = CONTENT_LENGTH.matcher(head);
		if (length.find()) {
			return bodyLength >= Integer.parseInt(length.group(1));
		}
		if (head.contains("chunked")) {
			return text.endsWith("\r\n0\r\n\r\n");
		}
		return false;
	}

	private static Response parse(byte[] answer) {
		String text = new String(answer, StandardCharsets.ISO_8859_1);
		int end = text.indexOf("\r\n\r\n");
		if (end < 0) {
			throw new IllegalStateException("no HTTP answer: " + text);
		}
		String[] lines = text.substring(0, end).split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		String contentType = "";
		boolean chunked = false;
		for (String line : lines) {
			String lower = line.toLowerCase();
			if (lower.startsWith("content-type:")) {
				contentType = line.substring("content-type:".length()).trim();
			}
			chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
		}
		byte[] body = Arrays.copyOfRange(answer, end + 4, answer.length);
		return new Response(status, contentType, new String(chunked ? dechunk(body) : body, StandardCharsets.UTF_8));
	}

	private static byte[] dechunk(byte[] chunked) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int at = 0;
		while (at < chunked.length) {
			int lineEnd = at;
			while (lineEnd + 1 < chunked.length && !(chunked[lineEnd] == '\r' && chunked[lineEnd + 1] == '\n')) {
				lineEnd++;
			}
			String sizeText = new String(chunked, at, lineEnd - at, StandardCharsets.US_ASCII).split(";")[0].trim();
			int size = sizeText.isEmpty() ? 0 : Integer.parseInt(sizeText, 16);
			if (size == 0) {
				break;
			}
			out.write(chunked, lineEnd + 2, size);
			at = lineEnd + 2 + size + 2;
		}
		return out.toByteArray();
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private Response send(HttpRequest.Builder request) {
		try {
			HttpResponse<byte[]> response = this.client.send(request.timeout(TIMEOUT).build(),
					HttpResponse.BodyHandlers.ofByteArray());
			return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					new String(response.body(), StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new IllegalStateException("request failed: " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
