package dev.visionserve.support;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import dev.visionserve.support.CorpusClient.Part;
import dev.visionserve.support.CorpusClient.Response;

/**
 * Builds the bad-input corpus: several hundred requests to {@code /classify},
 * {@code /generate} and the four editing endpoints, each with the status and code the
 * service documents for it (valid images and minimal valid edits: 200). Deterministic:
 * every random choice comes from one seeded {@link Random}, and every image is drawn here
 * with ImageIO, so the corpus is the same on every run and every machine.
 *
 * <p>
 * The limits it aims at are lowered so that reaching them is cheap; the test that runs
 * the corpus sets them: at most 8 images per request, 1 MiB raw bodies and multipart
 * files, 4 MiB multipart requests, 64 generation work units; the pixel and part limits
 * keep their defaults.
 */
public final class BadInputCorpus {

	/** The default pixel limit: the corpus keeps it, to send images right at it. */
	static final int MAX_PIXELS = 16_777_216;

	static final int MAX_IMAGES = 8;

	static final int MAX_BODY = 1_048_576;

	/** Tomcat's default part limit, above max images + 2. */
	static final int MAX_PARTS = 50;

	private static final String[] IMAGE_TYPES = { "image/png", "image/jpeg", "image/gif", "image/bmp",
			"application/octet-stream" };

	private static final String OK_GENERATE = "{\"steps\":2,\"seed\":1}";

	/**
	 * One request and what it must get.
	 *
	 * @param name what is sent, for the test report
	 * @param status the documented status
	 * @param code the problem's {@code code}; {@code null} for 200
	 * @param detail a fragment the problem's detail must contain (e.g. the field), or
	 * {@code ""}
	 * @param request sends it
	 */
	public record Case(String name, int status, String code, String detail, Request request) {

		@Override
		public String toString() {
			return this.name + " -> " + this.status + ((this.code != null) ? " " + this.code : "");
		}

	}

	/** Sends one case's request. */
	@FunctionalInterface
	public interface Request {

		Response send(CorpusClient client);

	}

	private final List<Case> cases = new ArrayList<>();

	private final Random random;

	private BadInputCorpus(long seed) {
		this.random = new Random(seed);
	}

	public static List<Case> build(long seed) {
		BadInputCorpus corpus = new BadInputCorpus(seed);
		corpus.validImages();
		corpus.emptyAndRandomBodies();
		corpus.truncatedImages();
		corpus.bitFlippedImages();
		corpus.decompressionBombs();
		corpus.contentTypes();
		corpus.multipartShapes();
		corpus.classifyQueryParameters();
		corpus.acceptHeadersAndMethods();
		corpus.malformedJson();
		corpus.jsonFieldValues();
		corpus.jsonStrings();
		for (String endpoint : EDIT_ENDPOINTS) {
			corpus.editImages(endpoint);
			corpus.editContentTypesAndMethods(endpoint);
			corpus.editJson(endpoint);
			corpus.editRanges(endpoint);
			corpus.editModesAndModels(endpoint);
		}
		corpus.editModeRules();
		return List.copyOf(corpus.cases);
	}

	// ---- /classify -------------------------------------------------------------

	private void validImages() {
		List<Object[]> valid = new ArrayList<>();
		valid.add(new Object[] { "1x1 gray PNG", png(gray(1, 1)), "image/png" });
		valid.add(new Object[] { "1x1 RGB PNG", png(rgb(1, 1)), "image/png" });
		valid.add(new Object[] { "1x10000 PNG", png(gray(1, 10_000)), "image/png" });
		valid.add(new Object[] { "10000x1 PNG", png(gray(10_000, 1)), "image/png" });
		valid.add(new Object[] { "16-bit gray PNG", png(typed(40, 30, BufferedImage.TYPE_USHORT_GRAY)), "image/png" });
		valid.add(new Object[] { "palette PNG", png(typed(40, 30, BufferedImage.TYPE_BYTE_INDEXED)), "image/png" });
		valid.add(new Object[] { "RGBA PNG", png(typed(40, 30, BufferedImage.TYPE_INT_ARGB)), "image/png" });
		valid.add(new Object[] { "gray+alpha PNG", png(grayAlpha(40, 30)), "image/png" });
		valid.add(new Object[] { "baseline RGB JPEG", jpeg(rgb(64, 48), false), "image/jpeg" });
		valid.add(new Object[] { "gray JPEG", jpeg(gray(64, 48), false), "image/jpeg" });
		valid.add(new Object[] { "progressive JPEG", jpeg(rgb(64, 48), true), "image/jpeg" });
		valid.add(new Object[] { "CMYK JPEG", cmykJpeg(64, 48), "image/jpeg" });
		valid.add(new Object[] { "GIF", gif(typed(40, 30, BufferedImage.TYPE_BYTE_INDEXED)), "image/gif" });
		valid.add(new Object[] { "animated GIF", animatedGif(40, 30, 3), "image/gif" });
		valid.add(new Object[] { "24-bit BMP", bmp(typed(40, 30, BufferedImage.TYPE_3BYTE_BGR)), "image/bmp" });
		valid.add(new Object[] { "8-bit gray BMP", bmp(gray(40, 30)), "image/bmp" });
		for (Object[] image : valid) {
			byte[] bytes = (byte[]) image[1];
			ok("classify raw " + image[0], (c) -> c.postBody("/classify", (String) image[2], bytes));
			ok("classify multipart " + image[0], (c) -> c.postImages("/classify", List.of(bytes)));
		}
		// Inside the pixel limit, but resizing the short side to 28 once meant a
		// 469,762,048-wide
		// intermediate.
		byte[] wideLine = png(gray(MAX_PIXELS, 1));
		byte[] tallLine = png(gray(1, MAX_PIXELS));
		ok("classify raw 16777216x1 PNG", (c) -> c.postBody("/classify", "image/png", wideLine));
		ok("classify raw 1x16777216 PNG", (c) -> c.postBody("/classify", "image/png", tallLine));
		byte[] small = png(gray(28, 28));
		ok("classify multipart 8 images (the limit)",
				(c) -> c.postImages("/classify", Collections.nCopies(MAX_IMAGES, small)));
		ok("classify without Content-Type (read as octet-stream)", (c) -> c.postBody("/classify", null, small));
		ok("classify multipart image part typed text/plain",
				(c) -> c.postMultipart("/classify", List.of(new Part("image", "a.txt", "text/plain", small))));
		ok("classify multipart with model and topK form fields",
				(c) -> c.postMultipart("/classify", List.of(new Part("image", "a.png", "image/png", small),
						Part.field("model", "fashion-resnet"), Part.field("topK", "3"))));
	}

	private void emptyAndRandomBodies() {
		for (String type : IMAGE_TYPES) {
			problem("classify raw zero bytes as " + type, 400, "INVALID_IMAGE", "empty",
					(c) -> c.postBody("/classify", type, new byte[0]));
		}
		problem("classify multipart zero-byte image", 400, "INVALID_IMAGE", "empty",
				(c) -> c.postImages("/classify", List.of(new byte[0])));
		problem("classify multipart second image zero bytes", 400, "INVALID_IMAGE", "Image 2 is empty",
				(c) -> c.postImages("/classify", List.of(png(gray(28, 28)), new byte[0])));
		for (String type : IMAGE_TYPES) {
			for (int size : new int[] { 1, 37, 4096 }) {
				byte[] noise = randomBytes(size);
				problem("classify raw " + size + " random bytes as " + type, 400, "INVALID_IMAGE", "",
						(c) -> c.postBody("/classify", type, noise));
			}
		}
		byte[] noise = randomBytes(10_000);
		problem("classify multipart random bytes", 400, "INVALID_IMAGE", "not an image",
				(c) -> c.postImages("/classify", List.of(noise)));
		byte[] text = "<html><body>not an image</body></html>".getBytes(StandardCharsets.UTF_8);
		problem("classify raw HTML as image/png", 400, "INVALID_IMAGE", "not an image",
				(c) -> c.postBody("/classify", "image/png", text));
	}

	private void truncatedImages() {
		double[] fractions = { 0.1, 0.25, 0.5, 0.75, 0.9 };
		for (Object[] image : sampleImages()) {
			byte[] bytes = (byte[]) image[1];
			for (double fraction : fractions) {
				byte[] cut = Arrays.copyOf(bytes, (int) (bytes.length * fraction));
				problem("classify raw " + image[0] + " truncated to " + cut.length + " of " + bytes.length + " bytes",
						400, "INVALID_IMAGE", "", (c) -> c.postBody("/classify", (String) image[2], cut));
			}
			byte[] headerOnly = Arrays.copyOf(bytes, Math.min(bytes.length, 40));
			problem("classify multipart " + image[0] + " cut after 40 bytes", 400, "INVALID_IMAGE", "",
					(c) -> c.postImages("/classify", List.of(headerOnly)));
			byte[] oneByte = Arrays.copyOf(bytes, 1);
			problem("classify raw first byte of " + image[0], 400, "INVALID_IMAGE", "",
					(c) -> c.postBody("/classify", (String) image[2], oneByte));
		}
	}

	/**
	 * Flips in the signature make the format unrecognisable; flips in a PNG's header make
	 * a field invalid.
	 */
	private void bitFlippedImages() {
		for (Object[] image : sampleImages()) {
			byte[] bytes = (byte[]) image[1];
			for (int bit : new int[] { 0, 1 + this.random.nextInt(7) }) {
				byte[] flipped = bytes.clone();
				flipped[0] ^= (byte) (1 << bit);
				problem("classify raw " + image[0] + " with bit " + bit + " of byte 0 flipped", 400, "INVALID_IMAGE",
						"not an image", (c) -> c.postBody("/classify", (String) image[2], flipped));
			}
			byte[] flipped = bytes.clone();
			flipped[1] ^= (byte) (1 << this.random.nextInt(8));
			problem("classify multipart " + image[0] + " with byte 1 flipped", 400, "INVALID_IMAGE", "not an image",
					(c) -> c.postImages("/classify", List.of(flipped)));
		}
		// IHDR fields (the CRC is left stale, as a real flip would): bit depth 8 -> 9,
		// color type
		// 0 -> 1, compression 0 -> 1, interlace 0 -> 2 are all values PNG does not
		// define.
		byte[] png = png(gray(28, 28));
		int[][] flips = { { 24, 0 }, { 25, 0 }, { 26, 0 }, { 28, 1 } };
		for (int[] flip : flips) {
			byte[] flipped = png.clone();
			flipped[flip[0]] ^= (byte) (1 << flip[1]);
			problem("classify raw PNG with bit " + flip[1] + " of IHDR byte " + flip[0] + " flipped", 400,
					"INVALID_IMAGE", "", (c) -> c.postBody("/classify", "image/png", flipped));
		}
	}

	private void decompressionBombs() {
		int[][] sizes = { { 50_000, 50_000 }, { 65_535, 65_535 }, { 16_777_217, 1 }, { 4_097, 4_097 } };
		for (int[] size : sizes) {
			String dims = size[0] + "x" + size[1];
			byte[] pngBomb = pngDeclaring(size[0], size[1]);
			problem("classify raw PNG declaring " + dims, 413, "PAYLOAD_TOO_LARGE", "pixels",
					(c) -> c.postBody("/classify", "image/png", pngBomb));
			if (size[0] <= 65_535 && size[1] <= 65_535) {
				byte[] gifBomb = gifDeclaring(size[0], size[1]);
				byte[] jpegBomb = jpegDeclaring(size[0], size[1]);
				byte[] bmpBomb = bmpDeclaring(size[0], size[1]);
				problem("classify raw GIF declaring " + dims, 413, "PAYLOAD_TOO_LARGE", "pixels",
						(c) -> c.postBody("/classify", "image/gif", gifBomb));
				if (size[0] <= 65_500 && size[1] <= 65_500) {
					problem("classify raw JPEG declaring " + dims, 413, "PAYLOAD_TOO_LARGE", "pixels",
							(c) -> c.postBody("/classify", "image/jpeg", jpegBomb));
				}
				else {
					problem("classify raw JPEG declaring " + dims + " (beyond JPEG's 65500)", 400, "INVALID_IMAGE",
							"65500", (c) -> c.postBody("/classify", "image/jpeg", jpegBomb));
				}
				// Uncompressed: the reader checks the declared size against the data
				// before
				// anything else.
				problem("classify multipart BMP declaring " + dims + " with 8x8 of data", 400, "INVALID_IMAGE",
						"width/height", (c) -> c.postImages("/classify", List.of(bmpBomb)));
			}
		}
		byte[] hugePng = pngDeclaring(Integer.MAX_VALUE, Integer.MAX_VALUE);
		problem("classify multipart PNG declaring 2147483647x2147483647", 413, "PAYLOAD_TOO_LARGE", "pixels",
				(c) -> c.postImages("/classify", List.of(hugePng)));
	}

	private void contentTypes() {
		byte[] small = png(gray(28, 28));
		for (String type : new String[] { "text/plain", "application/json", "image/webp", "video/mp4",
				"application/x-www-form-urlencoded", "application/xml" }) {
			problem("classify raw PNG as " + type, 415, "UNSUPPORTED_MEDIA_TYPE", "multipart/form-data",
					(c) -> c.postBody("/classify", type, small));
		}
		problem("classify raw PNG with an unparsable Content-Type", 415, "UNSUPPORTED_MEDIA_TYPE", "",
				(c) -> c.postBody("/classify", "not a media type", small));
		problem("classify multipart without boundary", 400, "INVALID_PARAMETER", "multipart",
				(c) -> c.postBody("/classify", "multipart/form-data", small));
		problem("classify multipart with a wrong boundary", 400, "INVALID_PARAMETER", "image",
				(c) -> c.postBody("/classify", "multipart/form-data; boundary=elsewhere",
						("--here\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nxx\r\n--here--\r\n")
							.getBytes(StandardCharsets.US_ASCII)));
		problem("classify multipart never closed", 400, "INVALID_PARAMETER", "multipart",
				(c) -> c.postBody("/classify", "multipart/form-data; boundary=b",
						"--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\nabc"
							.getBytes(StandardCharsets.US_ASCII)));
		problem("generate with text/plain", 415, "UNSUPPORTED_MEDIA_TYPE", "",
				(c) -> c.postBody("/generate", "text/plain", OK_GENERATE.getBytes(StandardCharsets.UTF_8)));
		problem("generate without Content-Type", 415, "UNSUPPORTED_MEDIA_TYPE", "",
				(c) -> c.postBody("/generate", null, OK_GENERATE.getBytes(StandardCharsets.UTF_8)));
		problem("generate as a form", 415, "UNSUPPORTED_MEDIA_TYPE", "", (c) -> c.postBody("/generate",
				"application/x-www-form-urlencoded", "steps=2".getBytes(StandardCharsets.UTF_8)));
		problem("generate as multipart", 415, "UNSUPPORTED_MEDIA_TYPE", "",
				(c) -> c.postMultipart("/generate", List.of(Part.field("steps", "2"))));
	}

	private void multipartShapes() {
		byte[] small = png(gray(28, 28));
		problem("classify multipart without an image part", 400, "INVALID_PARAMETER", "image",
				(c) -> c.postMultipart("/classify", List.of(new Part("file", "a.png", "image/png", small))));
		problem("classify multipart with no parts at all", 400, "INVALID_PARAMETER", "",
				(c) -> c.postImages("/classify", List.of()));
		problem("classify multipart 9 images (over the limit of 8)", 413, "PAYLOAD_TOO_LARGE", "limit is 8",
				(c) -> c.postImages("/classify", Collections.nCopies(MAX_IMAGES + 1, small)));
		problem("classify multipart 1000 parts", 413, "PAYLOAD_TOO_LARGE", "more than " + MAX_PARTS + " parts",
				(c) -> c.postImages("/classify", Collections.nCopies(1000, small)));
		problem("classify multipart 1000 form fields", 413, "PAYLOAD_TOO_LARGE", "parts",
				(c) -> c.postMultipart("/classify", Collections.nCopies(1000, Part.field("x", "y"))));
		problem("classify multipart 51 parts (one over the part limit)", 413, "PAYLOAD_TOO_LARGE",
				"server.tomcat.max-part-count",
				(c) -> c.postImages("/classify", Collections.nCopies(MAX_PARTS + 1, small)));
		String hugeField = "m".repeat(2 * MAX_BODY);
		problem("classify multipart 2 MB form field", 413, "PAYLOAD_TOO_LARGE", "size limit",
				(c) -> c.postMultipart("/classify",
						List.of(new Part("image", "a.png", "image/png", small), Part.field("model", hugeField))));
		String longField = "m".repeat(5_000);
		problem("classify multipart 5000-character model field", 400, "INVALID_PARAMETER", "model",
				(c) -> c.postMultipart("/classify",
						List.of(new Part("image", "a.png", "image/png", small), Part.field("model", longField))));
		byte[] big = randomBytes(MAX_BODY + 1);
		problem("classify raw body one byte over the limit", 413, "PAYLOAD_TOO_LARGE", "max-body-bytes",
				(c) -> c.postBody("/classify", "image/png", big));
		problem("classify multipart part over max-file-size", 413, "PAYLOAD_TOO_LARGE", "size limit",
				(c) -> c.postImages("/classify", List.of(big)));
		byte[] almost = randomBytes(MAX_BODY - 4096);
		problem("classify multipart over max-request-size", 413, "PAYLOAD_TOO_LARGE", "size limit",
				(c) -> c.postImages("/classify", Collections.nCopies(5, almost)));
		problem("classify raw body declaring a huge Content-Length", 413, "PAYLOAD_TOO_LARGE", "max-body-bytes",
				(c) -> c.raw("POST /classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
						+ "Content-Length: 99999999999\r\nConnection: close\r\n\r\n", small));
	}

	private void classifyQueryParameters() {
		byte[] small = png(gray(28, 28));
		for (String topK : new String[] { "0", "-1", "11", "2.5", "abc", "99999999999", "1e3", "%20", "5%00" }) {
			problem("classify topK=" + topK, 400, "INVALID_PARAMETER", "topK",
					(c) -> c.postImages("/classify?topK=" + topK, List.of(small)));
		}
		for (String model : new String[] { "nope", "..%2Ffashion-resnet", "..%2F..%2F..%2Fetc%2Fpasswd",
				"%2e%2e%2ffashion-resnet", "%2Fetc%2Fpasswd", "fashion-resnet%2F..", "..", "%2e%2e", "fashion-ddpm",
				"%F0%9F%91%9F", "%E2%80%AEtensernoihsaf", "FASHION-RESNET", "fashion-resnet%20" }) {
			problem("classify model=" + model, 404, "UNKNOWN_MODEL", "",
					(c) -> c.postImages("/classify?model=" + model, List.of(small)));
		}
		for (String model : new String[] { "fashion-resnet%00", "%0Afashion-resnet", "m".repeat(5000) }) {
			problem("classify model=" + abbreviate(model), 400, "INVALID_PARAMETER", "model",
					(c) -> c.postImages("/classify?model=" + model, List.of(small)));
		}
		for (String query : new String[] { "model=%", "model=%zz", "topK=%G1", "model=fashion%", "model=%E2%82" }) {
			problem("classify ?" + query + " (malformed percent-encoding)", 400, "INVALID_PARAMETER",
					"percent-encoding",
					(c) -> c.raw("POST /classify?" + query + " HTTP/1.1\r\nHost: localhost\r\n"
							+ "Content-Type: image/png\r\nContent-Length: " + small.length
							+ "\r\nConnection: close\r\n\r\n", small));
		}
		ok("classify topK=10 (the model's class count)", (c) -> c.postImages("/classify?topK=10", List.of(small)));
	}

	private void acceptHeadersAndMethods() {
		byte[] small = png(gray(28, 28));
		for (String accept : new String[] { "image/png", "text/html", "application/xml", "text/event-stream" }) {
			problem("classify Accept: " + accept, 406, "NOT_ACCEPTABLE", "",
					(c) -> c.postBody("/classify", "image/png", small, "Accept", accept));
		}
		for (String accept : new String[] { "image/jpeg", "text/html", "application/xml" }) {
			problem("generate Accept: " + accept, 406, "NOT_ACCEPTABLE", "", (c) -> c.postBody("/generate",
					"application/json", OK_GENERATE.getBytes(StandardCharsets.UTF_8), "Accept", accept));
		}
		problem("generate Accept: image/png with count 2", 400, "INVALID_PARAMETER", "count",
				(c) -> c.postBody("/generate", "application/json",
						"{\"steps\":2,\"count\":2}".getBytes(StandardCharsets.UTF_8), "Accept", "image/png"));
		ok("classify Accept: */*", (c) -> c.postBody("/classify", "image/png", small, "Accept", "*/*"));
		problem("GET /classify", 405, "METHOD_NOT_ALLOWED", "POST", (c) -> c.send("GET", "/classify", null, null));
		problem("PUT /classify", 405, "METHOD_NOT_ALLOWED", "POST",
				(c) -> c.send("PUT", "/classify", "image/png", small));
		problem("DELETE /generate", 405, "METHOD_NOT_ALLOWED", "POST",
				(c) -> c.send("DELETE", "/generate", null, null));
		problem("GET /models/..%2F..%2Fetc%2Fpasswd", 400, "INVALID_PARAMETER", "",
				(c) -> c.send("GET", "/models/..%2F..%2Fetc%2Fpasswd", null, null));
		problem("GET /models/%2e%2e%5cmodels", 400, "INVALID_PARAMETER", "",
				(c) -> c.send("GET", "/models/%2e%2e%5cmodels", null, null));
	}

	// ---- /generate -------------------------------------------------------------

	private void malformedJson() {
		String[] bodies = { "", " ", "{", "}", "[", "null", "\"\"", "[]", "123", "true", "{\"steps\":}",
				"{\"steps\":2,}", "{steps:2}", "{'steps':2}", "{\"steps\":2} trailing", "{\"steps\":2}{\"steps\":3}",
				"{\"steps\":2}]", "{/*c*/\"steps\":2}", "{\"steps\":02}", "{\"steps\":+2}", "{\"steps\":2",
				"{\"label\":\"unterminated}", "{\"label\":\"a\u0001b\"}", "{\"steps\":NaN}", "{\"eta\":NaN}",
				"{\"eta\":Infinity}", "{\"guidanceScale\":-Infinity}", "{\"guidanceScale\":NaN}",
				"{\"label\":\"\\uZZZZ\"}", "{\"label\":\"\\x41\"}" };
		for (String body : bodies) {
			problem("generate body " + abbreviate(body), 400, "INVALID_PARAMETER", "", (c) -> c.postJson(body));
		}
		byte[] invalidUtf8 = { '{', '"', 'l', 'a', 'b', 'e', 'l', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' };
		problem("generate body with invalid UTF-8", 400, "INVALID_PARAMETER", "",
				(c) -> c.postBody("/generate", "application/json", invalidUtf8));
		for (String field : new String[] { "steps", "count", "seed", "label", "sampler", "model", "eta" }) {
			String value = switch (field) {
				case "label", "sampler", "model" -> "\"x\"";
				default -> "1";
			};
			String body = "{\"" + field + "\":" + value + ",\"" + field + "\":" + value + "}";
			problem("generate duplicate key " + field, 400, "INVALID_PARAMETER", field, (c) -> c.postJson(body));
		}
		problem("generate {\"steps\":-1,\"steps\":20}", 400, "INVALID_PARAMETER", "steps",
				(c) -> c.postJson("{\"steps\":-1,\"steps\":20}"));
	}

	private void jsonFieldValues() {
		String[][] invalid = {
				// field, values that are not a whole number in range
				{ "steps", "0", "-1", "1001", "2.5", "20.0", "1e2", "\"20\"", "true", "[]", "{}", "2147483648",
						"-2147483649", "1e400", "99999999999999999999999" },
				{ "count", "0", "-5", "17", "1.5", "\"1\"", "false", "[1]", "2147483648", "1e1" },
				{ "seed", "-1", "9007199254740992", "7.5", "\"7\"", "1e20", "99999999999999999999", "true", "[7]" },
				{ "previewEvery", "0", "-1", "1.5", "\"1\"", "true", "2147483648" },
				{ "eta", "-0.1", "1.1", "\"0.5\"", "\"NaN\"", "\"Infinity\"", "1e999", "-1e999", "true", "[0]" },
				{ "guidanceScale", "-1", "20.5", "\"5\"", "\"NaN\"", "1e999", "false", "{}" },
				{ "label", "true", "[]", "{}", "2.5", "-1", "10", "99999999999", "\"Hat\"", "\"\\u0000\"",
						"\"Sneaker\\u0000\"", "\"Sneaker\\u0007\"", "\"Sneaker\\n\"" },
				{ "sampler", "1", "true", "\"nope\"", "\"ddim\\u0000\"", "\"ddim\\n\"", "\"dd im\"", "[\"ddim\"]" } };
		for (String[] row : invalid) {
			String field = row[0];
			for (int i = 1; i < row.length; i++) {
				String value = row[i];
				problem("generate " + field + "=" + value, 400, "INVALID_PARAMETER", field,
						(c) -> c.postJson(withField(field, value)));
			}
		}
		for (String model : new String[] { "\"nope\"", "\"../fashion-ddpm\"", "\"..%2ffashion-ddpm\"",
				"\"%2e%2e/fashion-ddpm\"", "\"/etc/passwd\"", "\"fashion-resnet\"", "1", "\"fashion-ddpm \\u00a0\"" }) {
			problem("generate model=" + model, 404, "UNKNOWN_MODEL", "",
					(c) -> c.postJson("{\"steps\":2,\"seed\":1,\"model\":" + model + "}"));
		}
		problem("generate model with a NUL", 400, "INVALID_PARAMETER", "model",
				(c) -> c.postJson("{\"steps\":2,\"model\":\"fashion-ddpm\\u0000\"}"));
		problem("generate count 8 x steps 9 over the work limit of 64", 400, "INVALID_PARAMETER", "count × model calls",
				(c) -> c.postJson("{\"steps\":9,\"count\":8,\"seed\":1}"));
		problem("generate steps 65 over the work limit of 64", 400, "INVALID_PARAMETER", "max-generation-work",
				(c) -> c.postJson("{\"steps\":65,\"seed\":1}"));
		ok("generate the minimal request", (c) -> c.postJson(OK_GENERATE));
		ok("generate count 2 x steps 2 with a label index", (c) -> c.postJson("{\"steps\":2,\"count\":2,\"label\":3}"));
		ok("generate label by name, upper-case sampler", (c) -> c.postJson("{\"steps\":2,\"label\":\"Sneaker\","
				+ "\"sampler\":\"DDIM\",\"seed\":9007199254740991,\"eta\":1,\"guidanceScale\":20}"));
		ok("generate with an unknown field (ignored)", (c) -> c.postJson("{\"steps\":2,\"stepz\":5}"));
		ok("generate nulls (defaults)", (c) -> c.postJson("{\"steps\":2,\"label\":null,\"sampler\":null}"));
	}

	private void jsonStrings() {
		String[] labels = { "x".repeat(201), "x".repeat(100_000), "👟", "\u202eSneaker", "Sneaker\u0301", "\\ud800",
				"Sneaker\u200b", "../../etc/passwd", "Sné\u00e4ker", "%00" };
		for (String label : labels) {
			problem("generate label " + abbreviate(label), 400, "INVALID_PARAMETER", "label",
					(c) -> c.postJson("{\"steps\":2,\"label\":\"" + label + "\"}"));
		}
		for (String sampler : new String[] { "s".repeat(5000), "ddim\u202e", "🙂", "\\udfff" }) {
			problem("generate sampler " + abbreviate(sampler), 400, "INVALID_PARAMETER", "sampler",
					(c) -> c.postJson("{\"steps\":2,\"sampler\":\"" + sampler + "\"}"));
		}
		problem("generate model of 5000 characters", 400, "INVALID_PARAMETER", "model",
				(c) -> c.postJson("{\"steps\":2,\"model\":\"" + "m".repeat(5000) + "\"}"));
		String deep = "[".repeat(5000) + "]".repeat(5000);
		problem("generate label nested 5000 deep", 400, "INVALID_PARAMETER", "",
				(c) -> c.postJson("{\"steps\":2,\"label\":" + deep + "}"));
	}

	// ---- editing: /inpaint, /super-resolution, /denoise, /img2img ---------------

	/**
	 * The cheapest valid request of each endpoint (within the work limit of 64): the
	 * image (and for inpainting the mask) go beside these fields.
	 */
	private static final Map<String, Map<String, String>> EDIT_OK = Map.of("/inpaint",
			Map.of("steps", "2", "resampleCount", "1", "seed", "1"), "/super-resolution",
			Map.of("steps", "2", "seed", "1"), "/denoise", Map.of("noiseLevel", "25", "seed", "1"), "/img2img",
			Map.of("steps", "2", "strength", "0.5", "seed", "1"));

	private static final List<String> EDIT_ENDPOINTS = List.of("/inpaint", "/super-resolution", "/denoise", "/img2img");

	/** A parameter of another mode, for each endpoint. */
	private static final Map<String, String[]> OTHER_MODES_PARAMETER = Map.of("/inpaint",
			new String[] { "strength", "0.5" }, "/super-resolution", new String[] { "jumpLength", "2" }, "/denoise",
			new String[] { "strength", "0.5" }, "/img2img", new String[] { "noiseLevel", "25" });

	/** The image each endpoint takes: the model's 28x28, or 14x14 to upscale. */
	private byte[] editImage(String endpoint) {
		return endpoint.equals("/super-resolution") ? png(gray(14, 14)) : png(gray(28, 28));
	}

	/** White (fill) in the middle, black (keep) around it. */
	private static byte[] mask(int width, int height) {
		BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
		for (int y = height / 4; y < height * 3 / 4; y++) {
			for (int x = width / 4; x < width * 3 / 4; x++) {
				mask.getRaster().setSample(x, y, 0, 255);
			}
		}
		return png(mask);
	}

	/**
	 * The endpoint's valid upload with {@code image} in place of its image and the fields
	 * changed by {@code fields} (name, value; a {@code null} value removes the field).
	 */
	private List<Part> editUpload(String endpoint, byte[] image, String... fields) {
		List<Part> parts = new ArrayList<>();
		if (image != null) {
			parts.add(new Part("image", "image.png", "image/png", image));
		}
		if (endpoint.equals("/inpaint")) {
			parts.add(new Part("mask", "mask.png", "image/png", mask(28, 28)));
		}
		editFields(endpoint, fields).forEach((name, value) -> parts.add(Part.field(name, value)));
		return parts;
	}

	private static Map<String, String> editFields(String endpoint, String... fields) {
		Map<String, String> values = new TreeMap<>(EDIT_OK.get(endpoint));
		for (int i = 0; i < fields.length; i += 2) {
			if (fields[i + 1] == null) {
				values.remove(fields[i]);
			}
			else {
				values.put(fields[i], fields[i + 1]);
			}
		}
		return values;
	}

	/**
	 * The endpoint's valid JSON body with the fields changed by {@code fields} (name,
	 * JSON value; {@code null} removes the field).
	 */
	private String editBody(String endpoint, String... fields) {
		Map<String, String> values = new TreeMap<>();
		values.put("image", "\"" + Base64.getEncoder().encodeToString(editImage(endpoint)) + "\"");
		if (endpoint.equals("/inpaint")) {
			values.put("mask", "\"" + Base64.getEncoder().encodeToString(mask(28, 28)) + "\"");
		}
		editFields(endpoint).forEach((name, value) -> values.put(name, value));
		for (int i = 0; i < fields.length; i += 2) {
			if (fields[i + 1] == null) {
				values.remove(fields[i]);
			}
			else {
				values.put(fields[i], fields[i + 1]);
			}
		}
		StringBuilder json = new StringBuilder("{");
		values.forEach((name, value) -> json.append((json.length() > 1) ? "," : "")
			.append('"')
			.append(name)
			.append("\":")
			.append(value));
		return json.append('}').toString();
	}

	private static Response postEditJson(CorpusClient client, String endpoint, String json, String... headers) {
		return client.postBody(endpoint, "application/json", json.getBytes(StandardCharsets.UTF_8), headers);
	}

	private void editImages(String endpoint) {
		byte[] image = editImage(endpoint);
		String e = endpoint.substring(1);
		ok(e + " the minimal upload", (c) -> c.postMultipart(endpoint, editUpload(endpoint, image)));
		ok(e + " the minimal JSON body", (c) -> postEditJson(c, endpoint, editBody(endpoint)));
		problem(e + " without an image part", 400, "INVALID_PARAMETER", "'image'",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, null)));
		problem(e + " zero-byte image", 400, "INVALID_IMAGE", "image is empty",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, new byte[0])));
		byte[] noise = randomBytes(2048);
		problem(e + " random bytes as the image", 400, "INVALID_IMAGE", "not an image",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, noise)));
		byte[] text = "<html><body>not an image</body></html>".getBytes(StandardCharsets.UTF_8);
		problem(e + " HTML as the image", 400, "INVALID_IMAGE", "not an image",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, text)));
		// Noise, so that the pixel data is most of the file and any cut loses some.
		byte[] noisy = png(noise(endpoint.equals("/super-resolution") ? 14 : 28));
		for (double fraction : new double[] { 0.3, 0.8 }) {
			byte[] cut = Arrays.copyOf(noisy, (int) (noisy.length * fraction));
			problem(e + " PNG truncated to " + cut.length + " of " + noisy.length + " bytes", 400, "INVALID_IMAGE",
					"image", (c) -> c.postMultipart(endpoint, editUpload(endpoint, cut)));
		}
		byte[] bomb = pngDeclaring(50_000, 50_000);
		problem(e + " PNG declaring 50000x50000", 413, "PAYLOAD_TOO_LARGE", "pixels",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, bomb)));
		byte[] big = randomBytes(MAX_BODY + 1);
		problem(e + " image part over max-file-size", 413, "PAYLOAD_TOO_LARGE", "size limit",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, big)));
		String bombBody = "{\"image\":\"" + Base64.getEncoder().encodeToString(bomb) + "\""
				+ (endpoint.equals("/inpaint")
						? ",\"mask\":\"" + Base64.getEncoder().encodeToString(mask(28, 28)) + "\"" : "")
				+ "}";
		problem(e + " JSON with a PNG declaring 50000x50000", 413, "PAYLOAD_TOO_LARGE", "pixels",
				(c) -> postEditJson(c, endpoint, bombBody));
		if (!endpoint.equals("/inpaint")) {
			problem(e + " with a mask", 400, "INVALID_PARAMETER", "Only /inpaint takes a mask", (c) -> c.postMultipart(
					endpoint,
					concat(editUpload(endpoint, image), new Part("mask", "mask.png", "image/png", mask(28, 28)))));
			problem(e + " JSON with a mask", 400, "INVALID_PARAMETER", "Only /inpaint takes a mask",
					(c) -> postEditJson(c, endpoint, editBody(endpoint, "mask",
							"\"" + Base64.getEncoder().encodeToString(mask(28, 28)) + "\"")));
		}
	}

	private void editContentTypesAndMethods(String endpoint) {
		String e = endpoint.substring(1);
		byte[] image = editImage(endpoint);
		for (String type : new String[] { "text/plain", "image/png", "application/x-www-form-urlencoded",
				"application/xml" }) {
			problem(e + " body as " + type, 415, "UNSUPPORTED_MEDIA_TYPE", "multipart/form-data",
					(c) -> c.postBody(endpoint, type, image));
		}
		problem(e + " without Content-Type", 415, "UNSUPPORTED_MEDIA_TYPE", "application/json",
				(c) -> c.postBody(endpoint, null, image));
		problem(e + " Accept: image/png with count 2", 400, "INVALID_PARAMETER", "count",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, image, "count", "2"), "Accept", "image/png"));
		problem(e + " JSON, Accept: image/png with count 2", 400, "INVALID_PARAMETER", "count",
				(c) -> postEditJson(c, endpoint, editBody(endpoint, "count", "2"), "Accept", "image/png"));
		for (String accept : new String[] { "text/xml", "image/jpeg" }) {
			problem(e + " Accept: " + accept, 406, "NOT_ACCEPTABLE", "",
					(c) -> c.postMultipart(endpoint, editUpload(endpoint, image), "Accept", accept));
		}
		problem(e + " JSON, Accept: text/xml", 406, "NOT_ACCEPTABLE", "",
				(c) -> postEditJson(c, endpoint, editBody(endpoint), "Accept", "text/xml"));
		problem("GET " + endpoint, 405, "METHOD_NOT_ALLOWED", "POST", (c) -> c.send("GET", endpoint, null, null));
		problem("PUT " + endpoint, 405, "METHOD_NOT_ALLOWED", "POST", (c) -> c.send("PUT", endpoint, "application/json",
				editBody(endpoint).getBytes(StandardCharsets.UTF_8)));
	}

	private void editJson(String endpoint) {
		String e = endpoint.substring(1);
		problem(e + " JSON without image", 400, "INVALID_PARAMETER", "'image'",
				(c) -> postEditJson(c, endpoint, editBody(endpoint, "image", null)));
		problem(e + " JSON image null", 400, "INVALID_PARAMETER", "'image'",
				(c) -> postEditJson(c, endpoint, editBody(endpoint, "image", "null")));
		problem(e + " JSON image empty", 400, "INVALID_IMAGE", "image is empty",
				(c) -> postEditJson(c, endpoint, editBody(endpoint, "image", "\"\"")));
		problem(e + " JSON image not base64", 400, "INVALID_PARAMETER", "base64",
				(c) -> postEditJson(c, endpoint, editBody(endpoint, "image", "\"not base64!\"")));
		String text = "\"" + Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8)) + "\"";
		problem(e + " JSON image base64 of text", 400, "INVALID_IMAGE", "not an image",
				(c) -> postEditJson(c, endpoint, editBody(endpoint, "image", text)));
		problem(e + " JSON with an unknown field", 400, "INVALID_PARAMETER", "Unknown parameter 'strenght'",
				(c) -> postEditJson(c, endpoint, editBody(endpoint, "strenght", "0.5")));
		String[][] wrongTypes = { { "image", "123" }, { "image", "true" }, { "image", "{}" }, { "image", "[1,2]" },
				{ "steps", "\"2\"" }, { "steps", "2.5" }, { "count", "true" }, { "seed", "\"7\"" },
				{ "eta", "\"0.5\"" }, { "guidanceScale", "[1]" }, { "label", "{}" } };
		for (String[] wrong : wrongTypes) {
			problem(e + " JSON " + wrong[0] + "=" + wrong[1], 400, "INVALID_PARAMETER", wrong[0],
					(c) -> postEditJson(c, endpoint, editBody(endpoint, wrong[0], wrong[1])));
		}
		for (String body : new String[] { "", "{", "[]", "null", "{\"image\":\"x\"} trailing" }) {
			problem(e + " JSON body " + abbreviate(body), 400, "INVALID_PARAMETER", "",
					(c) -> postEditJson(c, endpoint, body));
		}
	}

	private void editRanges(String endpoint) {
		String e = endpoint.substring(1);
		byte[] image = editImage(endpoint);
		List<String[]> invalid = new ArrayList<>(List.of(new String[] { "count", "0" }, new String[] { "count", "17" },
				new String[] { "steps", "0" }, new String[] { "eta", "2" }, new String[] { "guidanceScale", "30" },
				new String[] { "seed", "-1" }, new String[] { "previewEvery", "0" }, new String[] { "count", "two" },
				new String[] { "steps", "2.5" }, new String[] { "seed", "99999999999999999999" }));
		switch (endpoint) {
			case "/inpaint" -> invalid.addAll(List.of(new String[] { "jumpLength", "0" },
					new String[] { "resampleCount", "21" }, new String[] { "resampleCount", "0" }));
			case "/denoise" -> invalid.addAll(List.of(new String[] { "noiseLevel", "-1" },
					new String[] { "noiseLevel", "300" }, new String[] { "noiseLevel", "NaN" }));
			case "/img2img" ->
				invalid.addAll(List.of(new String[] { "strength", "-0.1" }, new String[] { "strength", "1.5" },
						new String[] { "strength", "NaN" }, new String[] { "strength", "Infinity" }));
			default -> {
			}
		}
		for (String[] field : invalid) {
			problem(e + " " + field[0] + "=" + field[1], 400, "INVALID_PARAMETER", field[0],
					(c) -> c.postMultipart(endpoint, editUpload(endpoint, image, field[0], field[1])));
		}
		String[][] json = { { "count", "0" }, { "count", "17" }, { "steps", "0" }, { "eta", "2" },
				{ "guidanceScale", "30" }, { "seed", "-1" } };
		for (String[] field : json) {
			problem(e + " JSON " + field[0] + "=" + field[1], 400, "INVALID_PARAMETER", field[0],
					(c) -> postEditJson(c, endpoint, editBody(endpoint, field[0], field[1])));
		}
		String own = switch (endpoint) {
			case "/inpaint" -> "resampleCount";
			case "/denoise" -> "noiseLevel";
			case "/img2img" -> "strength";
			default -> null;
		};
		if (own != null) {
			String bad = own.equals("strength") ? "\"NaN\"" : own.equals("noiseLevel") ? "300" : "21";
			problem(e + " JSON " + own + "=" + bad, 400, "INVALID_PARAMETER", own,
					(c) -> postEditJson(c, endpoint, editBody(endpoint, own, bad)));
		}
		problem(e + " with an unknown form field", 400, "INVALID_PARAMETER", "Unknown parameter 'strenght'",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, image, "strenght", "0.5")));
	}

	private void editModesAndModels(String endpoint) {
		String e = endpoint.substring(1);
		byte[] image = editImage(endpoint);
		String[] other = OTHER_MODES_PARAMETER.get(endpoint);
		problem(e + " with " + other[0] + " (another mode's)", 400, "INVALID_PARAMETER",
				"'" + other[0] + "' does not apply to " + endpoint,
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, image, other[0], other[1])));
		problem(e + " JSON with " + other[0] + " (another mode's)", 400, "INVALID_PARAMETER",
				"'" + other[0] + "' does not apply to " + endpoint,
				(c) -> postEditJson(c, endpoint, editBody(endpoint, other[0], other[1])));
		problem(e + " model=nope", 404, "UNKNOWN_MODEL", "nope",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, image, "model", "nope")));
		// As /generate: a classifier is no denoiser.
		problem(e + " model=fashion-resnet (a classifier)", 404, "UNKNOWN_MODEL", "fashion-resnet",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, image, "model", "fashion-resnet")));
		problem(e + " JSON model=fashion-resnet (a classifier)", 404, "UNKNOWN_MODEL", "fashion-resnet",
				(c) -> postEditJson(c, endpoint, editBody(endpoint, "model", "\"fashion-resnet\"")));
		problem(e + " label=Hat", 400, "INVALID_PARAMETER", "label",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, image, "label", "Hat")));
		problem(e + " sampler=nope", 400, "INVALID_PARAMETER", "sampler",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, image, "sampler", "nope", "method",
						endpoint.equals("/denoise") ? "sample" : null)));
		String[] overWork = switch (endpoint) {
			// RePaint's jumps: 8 steps plus 3 passes back over 2 steps at 3 places, over
			// 64
			// for 8 images
			case "/inpaint" -> new String[] { "count", "8", "steps", "8", "jumpLength", "2", "resampleCount", "4" };
			case "/denoise" -> new String[] { "count", "8", "method", "sample", "steps", "10", "noiseLevel", "100" };
			case "/img2img" -> new String[] { "count", "8", "steps", "9", "strength", "1" };
			default -> new String[] { "count", "8", "steps", "9" };
		};
		problem(e + " count x model calls over the work limit of 64", 400, "INVALID_PARAMETER", "count × model calls",
				(c) -> c.postMultipart(endpoint, editUpload(endpoint, image, overWork)));
		ok(e + " Accept: */*", (c) -> c.postMultipart(endpoint, editUpload(endpoint, image), "Accept", "*/*"));
	}

	private void editModeRules() {
		byte[] image = png(gray(28, 28));
		List<Part> noMask = List.of(new Part("image", "image.png", "image/png", image), Part.field("steps", "2"),
				Part.field("resampleCount", "1"));
		problem("inpaint without a mask", 400, "INVALID_PARAMETER", "'mask'",
				(c) -> c.postMultipart("/inpaint", noMask));
		problem("inpaint JSON without a mask", 400, "INVALID_PARAMETER", "'mask'",
				(c) -> postEditJson(c, "/inpaint", editBody("/inpaint", "mask", null)));
		problem("inpaint with a 14x14 mask for a 28x28 image", 400, "INVALID_PARAMETER", "same size",
				(c) -> c.postMultipart("/inpaint", List.of(new Part("image", "image.png", "image/png", image),
						new Part("mask", "mask.png", "image/png", mask(14, 14)), Part.field("steps", "2"))));
		byte[] black = png(gray(28, 28, 0));
		problem("inpaint with an all-black mask", 400, "INVALID_PARAMETER", "nothing to inpaint",
				(c) -> c.postMultipart("/inpaint", List.of(new Part("image", "image.png", "image/png", image),
						new Part("mask", "mask.png", "image/png", black), Part.field("steps", "2"))));
		problem("inpaint with a zero-byte mask", 400, "INVALID_IMAGE", "mask is empty",
				(c) -> c.postMultipart("/inpaint", List.of(new Part("image", "image.png", "image/png", image),
						new Part("mask", "mask.png", "image/png", new byte[0]), Part.field("steps", "2"))));
		problem("inpaint with a text mask", 400, "INVALID_IMAGE", "mask is not an image",
				(c) -> postEditJson(c, "/inpaint", editBody("/inpaint", "mask",
						"\"" + Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8)) + "\"")));
		problem("inpaint with sampler euler", 400, "INVALID_PARAMETER", "ddim or ddpm",
				(c) -> c.postMultipart("/inpaint", editUpload("/inpaint", image, "sampler", "euler")));
		problem("inpaint JSON with sampler dpmpp-2m", 400, "INVALID_PARAMETER", "ddim or ddpm",
				(c) -> postEditJson(c, "/inpaint", editBody("/inpaint", "sampler", "\"dpmpp-2m\"")));
		problem("inpaint with sampler unipc", 400, "INVALID_PARAMETER", "ddim or ddpm",
				(c) -> c.postMultipart("/inpaint", editUpload("/inpaint", image, "sampler", "unipc")));
		problem("denoise method sample with sampler dpmpp-2m-karras", 400, "INVALID_PARAMETER", "Karras",
				(c) -> c.postMultipart("/denoise",
						editUpload("/denoise", image, "method", "sample", "sampler", "dpmpp-2m-karras")));
		problem("denoise JSON method sample with sampler Unipc-Karras", 400, "INVALID_PARAMETER", "Karras",
				(c) -> postEditJson(c, "/denoise",
						editBody("/denoise", "method", "\"sample\"", "sampler", "\"Unipc-Karras\"")));
		ok("denoise method sample with sampler unipc, 3 steps", (c) -> c.postMultipart("/denoise",
				editUpload("/denoise", image, "method", "sample", "sampler", "unipc", "steps", "3")));
		for (String sampler : new String[] { "dpmpp-2m-karras", "unipc", "unipc-karras" }) {
			ok("img2img with sampler " + sampler + ", 4 steps", (c) -> c.postMultipart("/img2img",
					editUpload("/img2img", image, "sampler", sampler, "steps", "4", "strength", "0.5")));
			ok("super-resolution with sampler " + sampler + ", 3 steps", (c) -> c.postMultipart("/super-resolution",
					editUpload("/super-resolution", png(gray(14, 14)), "sampler", sampler, "steps", "3")));
		}
		for (int[] size : new int[][] { { 28, 28 }, { 10, 10 }, { 14, 7 }, { 56, 56 }, { 3, 3 } }) {
			byte[] wrong = png(gray(size[0], size[1]));
			problem("super-resolution " + size[0] + "x" + size[1], 400, "INVALID_PARAMETER", "14x14 (x2)",
					(c) -> c.postMultipart("/super-resolution", editUpload("/super-resolution", wrong)));
		}
		// Its sides divide 28: the extreme factor, documented among the sizes it takes.
		ok("super-resolution 1x1 (x28)",
				(c) -> c.postMultipart("/super-resolution", editUpload("/super-resolution", png(gray(1, 1)))));
		ok("super-resolution 7x7 (x4)",
				(c) -> c.postMultipart("/super-resolution", editUpload("/super-resolution", png(gray(7, 7)))));
		problem("denoise posterior-mean with steps", 400, "INVALID_PARAMETER", "steps",
				(c) -> c.postMultipart("/denoise", editUpload("/denoise", image, "steps", "5")));
		problem("denoise JSON posterior-mean with sampler", 400, "INVALID_PARAMETER", "sampler",
				(c) -> postEditJson(c, "/denoise", editBody("/denoise", "sampler", "\"ddpm\"")));
		problem("denoise method=nope", 400, "INVALID_PARAMETER", "method",
				(c) -> c.postMultipart("/denoise", editUpload("/denoise", image, "method", "nope")));
		ok("denoise method sample, 2 steps",
				(c) -> c.postMultipart("/denoise", editUpload("/denoise", image, "method", "sample", "steps", "2")));
		ok("denoise noise level estimated",
				(c) -> c.postMultipart("/denoise", editUpload("/denoise", image, "noiseLevel", null)));
		ok("inpaint an RGB JPEG of another size",
				(c) -> c.postMultipart("/inpaint",
						List.of(new Part("image", "a.jpg", "image/jpeg", jpeg(rgb(40, 30), false)),
								new Part("mask", "m.png", "image/png", mask(40, 30)), Part.field("steps", "2"),
								Part.field("resampleCount", "1"))));
		// SDEdit runs strength x steps: 8 x 8 calls is the limit, not 8 x 16.
		ok("img2img count 8 x 16 steps at strength 0.5 (64 model calls, the work limit)",
				(c) -> c.postMultipart("/img2img", editUpload("/img2img", image, "count", "8", "steps", "16")));
		problem("img2img count 8 x 18 steps at strength 0.5 (72 model calls)", 400, "INVALID_PARAMETER",
				"9 model calls per image",
				(c) -> c.postMultipart("/img2img", editUpload("/img2img", image, "count", "8", "steps", "18")));
		ok("img2img strength 0 (the input)",
				(c) -> c.postMultipart("/img2img", editUpload("/img2img", image, "strength", "0", "steps", null)));
	}

	private static List<Part> concat(List<Part> parts, Part more) {
		List<Part> all = new ArrayList<>(parts);
		all.add(more);
		return all;
	}

	// ---- helpers ---------------------------------------------------------------

	/** A cheap valid request (2 steps, seed 1) with one field set to {@code json}. */
	private static String withField(String field, String json) {
		return switch (field) {
			case "steps" -> "{\"seed\":1,\"steps\":" + json + "}";
			case "seed" -> "{\"steps\":2,\"seed\":" + json + "}";
			default -> "{\"steps\":2,\"seed\":1,\"" + field + "\":" + json + "}";
		};
	}

	private void ok(String name, Request request) {
		this.cases.add(new Case(name, 200, null, "", request));
	}

	private void problem(String name, int status, String code, String detail, Request request) {
		this.cases.add(new Case(name, status, code, detail, request));
	}

	private List<Object[]> sampleImages() {
		return List.of(new Object[] { "PNG", png(rgb(48, 40)), "image/png" },
				new Object[] { "JPEG", jpeg(rgb(48, 40), false), "image/jpeg" },
				new Object[] { "GIF", gif(typed(48, 40, BufferedImage.TYPE_BYTE_INDEXED)), "image/gif" },
				new Object[] { "BMP", bmp(typed(48, 40, BufferedImage.TYPE_3BYTE_BGR)), "image/bmp" });
	}

	private static String abbreviate(String text) {
		return (text.length() <= 40) ? text : text.substring(0, 30) + "…(" + text.length() + " chars)";
	}

	private byte[] randomBytes(int size) {
		byte[] bytes = new byte[size];
		this.random.nextBytes(bytes);
		return bytes;
	}

	private BufferedImage gray(int width, int height) {
		return typed(width, height, BufferedImage.TYPE_BYTE_GRAY);
	}

	private BufferedImage noise(int size) {
		BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
		for (int y = 0; y < size; y++) {
			for (int x = 0; x < size; x++) {
				image.getRaster().setSample(x, y, 0, this.random.nextInt(256));
			}
		}
		return image;
	}

	private static BufferedImage gray(int width, int height, int level) {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				image.getRaster().setSample(x, y, 0, level);
			}
		}
		return image;
	}

	private BufferedImage rgb(int width, int height) {
		return typed(width, height, BufferedImage.TYPE_INT_RGB);
	}

	/** A light blob on a dark ground, so the image is a plausible garment. */
	private BufferedImage typed(int width, int height, int type) {
		BufferedImage image = new BufferedImage(width, height, type);
		if ((long) width * height > 1_000_000) {
			return image;
		}
		int hue = this.random.nextInt(0xFFFFFF);
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				boolean inside = Math.abs(x - width / 2) < width / 3 && Math.abs(y - height / 2) < height / 3;
				image.setRGB(x, y, inside ? (0xFF000000 | hue) : 0xFF000000);
			}
		}
		return image;
	}

	private static BufferedImage grayAlpha(int width, int height) {
		ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
				Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
		WritableRaster raster = model.createCompatibleWritableRaster(width, height);
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				raster.setSample(x, y, 0, (x * 7 + y * 3) & 0xFF);
				raster.setSample(x, y, 1, 255 - x);
			}
		}
		return new BufferedImage(model, raster, false, null);
	}

	static byte[] png(BufferedImage image) {
		return write(image, "png");
	}

	private static byte[] gif(BufferedImage image) {
		return write(image, "gif");
	}

	private static byte[] bmp(BufferedImage image) {
		return write(image, "bmp");
	}

	private static byte[] write(BufferedImage image, String format) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try {
			if (!ImageIO.write(image, format, out)) {
				throw new IllegalStateException("ImageIO cannot write " + format + " from type " + image.getType());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

	private static byte[] jpeg(BufferedImage image, boolean progressive) {
		return jpeg(new IIOImage(image, null, null), progressive);
	}

	/** Four-channel JPEG (written from a raster, as ImageIO has no CMYK image type). */
	private byte[] cmykJpeg(int width, int height) {
		WritableRaster raster = WritableRaster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				boolean inside = Math.abs(x - width / 2) < width / 3 && Math.abs(y - height / 2) < height / 3;
				for (int b = 0; b < 4; b++) {
					raster.setSample(x, y, b, inside ? 40 * b : 255 - b);
				}
			}
		}
		return jpeg(new IIOImage(raster, null, null), false);
	}

	private static byte[] jpeg(IIOImage image, boolean progressive) {
		ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
			writer.setOutput(stream);
			ImageWriteParam param = writer.getDefaultWriteParam();
			if (progressive) {
				param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
			}
			writer.write(null, image, param);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			writer.dispose();
		}
		return out.toByteArray();
	}

	private byte[] animatedGif(int width, int height, int frames) {
		ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
			writer.setOutput(stream);
			writer.prepareWriteSequence(null);
			for (int i = 0; i < frames; i++) {
				writer.writeToSequence(new IIOImage(typed(width, height, BufferedImage.TYPE_BYTE_INDEXED), null, null),
						null);
			}
			writer.endWriteSequence();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			writer.dispose();
		}
		return out.toByteArray();
	}

	/** A real PNG whose IHDR (with a matching CRC) declares another size. */
	static byte[] pngDeclaring(int width, int height) {
		byte[] png = png(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY));
		putInt(png, 16, width);
		putInt(png, 20, height);
		CRC32 crc = new CRC32();
		crc.update(png, 12, 17);
		putInt(png, 29, (int) crc.getValue());
		return png;
	}

	/** A real GIF whose screen and image descriptor declare another size. */
	private static byte[] gifDeclaring(int width, int height) {
		byte[] gif = gif(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED));
		putShortLe(gif, 6, width);
		putShortLe(gif, 8, height);
		for (int i = 13; i < gif.length - 9; i++) {
			if (gif[i] == 0x2C && gif[i + 5] == 8 && gif[i + 7] == 8) {
				putShortLe(gif, i + 5, width);
				putShortLe(gif, i + 7, height);
				break;
			}
		}
		return gif;
	}

	/** A real JPEG whose SOF0 declares another size. */
	private static byte[] jpegDeclaring(int width, int height) {
		byte[] jpeg = jpeg(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), false);
		for (int i = 2; i < jpeg.length - 9; i++) {
			if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
				jpeg[i + 5] = (byte) (height >> 8);
				jpeg[i + 6] = (byte) height;
				jpeg[i + 7] = (byte) (width >> 8);
				jpeg[i + 8] = (byte) width;
				break;
			}
		}
		return jpeg;
	}

	/** A real BMP whose header declares another size. */
	private static byte[] bmpDeclaring(int width, int height) {
		byte[] bmp = bmp(new BufferedImage(8, 8, BufferedImage.TYPE_3BYTE_BGR));
		putIntLe(bmp, 18, width);
		putIntLe(bmp, 22, height);
		return bmp;
	}

	private static void putInt(byte[] bytes, int at, int value) {
		bytes[at] = (byte) (value >>> 24);
		bytes[at + 1] = (byte) (value >>> 16);
		bytes[at + 2] = (byte) (value >>> 8);
		bytes[at + 3] = (byte) value;
	}

	private static void putIntLe(byte[] bytes, int at, int value) {
		putShortLe(bytes, at, value & 0xFFFF);
		putShortLe(bytes, at + 2, value >>> 16);
	}

	private static void putShortLe(byte[] bytes, int at, int value) {
		bytes[at] = (byte) value;
		bytes[at + 1] = (byte) (value >>> 8);
	}

}
