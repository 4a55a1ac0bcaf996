package dev.visionserve.classify;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import dev.visionserve.image.PayloadTooLargeException;
import dev.visionserve.metrics.RequestAttributes;
import dev.visionserve.runtime.InvalidParameterException;
import dev.visionserve.runtime.RequestTimeout;

/**
 * {@code POST /classify}: images in, ranked labels out. Accepts multipart uploads (one or
 * more {@code image} parts) or one raw image body.
 */
@RestController
@Tag(name = "Classification", description = "Classify images with a classifier model")
class ClassifyController {

	static final String ENDPOINT = "classify";

	private static final int MAX_MODEL_NAME = 200;

	private final ClassificationService service;

	ClassifyController(ClassificationService service) {
		this.service = service;
	}

	@Operation(summary = "Classify uploaded images",
			description = "Upload one or more images as multipart parts named `image`; each gets one result, in order. "
					+ "All images of a request are batched together. The same operation also accepts one raw image "
					+ "as the body, with its image content type (e.g. `curl -H 'Content-Type: image/png' "
					+ "--data-binary @shoe.png`).")
	@ClassifyResponses
	@PostMapping(path = "/classify", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	ClassifyResponse classifyUpload(
			@Parameter(description = "Images (PNG, JPEG, BMP, GIF)",
					content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
							schema = @Schema(type = "string",
									format = "binary"))) @RequestPart("image") List<MultipartFile> image,
			@Parameter(description = "Classifier to use; default: the configured default classifier",
					example = "fashion-resnet") @RequestParam(required = false) String model,
			@Parameter(description = "Classes to return per image, most probable first") @RequestParam(
					defaultValue = "5") int topK,
			HttpServletRequest request) {
		List<byte[]> images = new ArrayList<>(image.size());
		for (MultipartFile part : image) {
			try {
				images.add(part.getBytes());
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return classify(model, images, topK, request);
	}

	// Springdoc merges both POST /classify methods into one operation; the upload form
	// documents both.
	@Operation(hidden = true)
	@ClassifyResponses
	@PostMapping(path = "/classify",
			consumes = { MediaType.IMAGE_PNG_VALUE, MediaType.IMAGE_JPEG_VALUE, MediaType.IMAGE_GIF_VALUE, "image/bmp",
					"image/x-ms-bmp", "image/tiff", "image/vnd.wap.wbmp", MediaType.APPLICATION_OCTET_STREAM_VALUE },
			produces = MediaType.APPLICATION_JSON_VALUE)
	ClassifyResponse classifyBody(
			@Parameter(description = "Classifier to use; default: the configured default classifier",
					example = "fashion-resnet") @RequestParam(required = false) String model,
			@Parameter(description = "Classes to return per image, most probable first") @RequestParam(
					defaultValue = "5") int topK,
			HttpServletRequest request) throws IOException {
		byte[] body = readBounded(request, this.service.limits().maxBodyBytes());
		return classify(model, List.of(body), topK, request);
	}

	private ClassifyResponse classify(String model, List<byte[]> images, int topK, HttpServletRequest request) {
		checkModelName(model);
		Instant start = Instant.now();
		String name = this.service.resolveName(model);
		RequestAttributes.describe(request, ENDPOINT, this.service.isKnown(name) ? name : "unknown");
		RequestTimeout timeout = RequestTimeout.from(request::getHeader);
		return this.service.classify(name, images, topK, timeout, start);
	}

	/**
	 * A name no model can have is a client mistake, not something to echo back in full in
	 * a 404.
	 */
	private static void checkModelName(String model) {
		if (model == null) {
			return;
		}
		if (model.length() > MAX_MODEL_NAME) {
			throw new InvalidParameterException("model",
					"model must be at most " + MAX_MODEL_NAME + " characters, was " + model.length());
		}
		if (model.chars().anyMatch(Character::isISOControl)) {
			throw new InvalidParameterException("model", "model must not contain control characters");
		}
	}

	/**
	 * Reads the body without ever holding more than the limit, whatever Content-Length
	 * claims.
	 */
	private static byte[] readBounded(HttpServletRequest request, long limit) throws IOException {
		long declared = request.getContentLengthLong();
		if (declared > limit) {
			throw new PayloadTooLargeException("The body has " + declared + " bytes; the limit is " + limit
					+ " (visionserve.limits.max-body-bytes)");
		}
		try (InputStream in = request.getInputStream()) {
			byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
			if (body.length > limit) {
				throw new PayloadTooLargeException(
						"The body exceeds the limit of " + limit + " bytes (visionserve.limits.max-body-bytes)");
			}
			return body;
		}
	}

}
