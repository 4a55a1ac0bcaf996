package dev.visionserve.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Valid;
import jakarta.validation.Validator;
import org.springdoc.core.annotations.ParameterObject;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.visionserve.metrics.RequestAttributes;
import dev.visionserve.runtime.InvalidParameterException;
import dev.visionserve.runtime.RequestTimeout;

/**
 * {@code POST /inpaint}, {@code /super-resolution}, {@code /denoise} and
 * {@code /img2img}: the denoiser as a prior for editing an uploaded image. Each takes a
 * multipart upload (file part {@code image}, for inpainting also {@code mask}, and the
 * parameters as form fields) or a JSON body with the files as base64, and answers as
 * {@code /generate} does: JSON, one PNG, or a server-sent event stream.
 */
@RestController
@Tag(name = "Editing", description = "Inpaint, upscale, denoise or restyle an image with a diffusion denoiser")
class EditController {

	private static final Set<String> PARAMETERS = Arrays.stream(EditParameters.class.getRecordComponents())
		.map(RecordComponent::getName)
		.collect(Collectors.toUnmodifiableSet());

	private final GenerationService service;

	private final JobAnswers answers;

	private final Validator validator;

	EditController(GenerationService service, JobAnswers answers, Validator validator) {
		this.service = service;
		this.answers = answers;
		this.validator = validator;
	}

	@Operation(summary = "Inpaint: fill the white part of a mask (RePaint)",
			description = "Fills the region where `mask` is white (grey ≥ 128) so that it fits the rest; the pixels "
					+ "where the mask is black come back exactly as given. `jumpLength` and `resampleCount` are "
					+ "RePaint's j and r: more resampling harmonises better and costs more model calls. Also takes "
					+ "a JSON body with `image` and `mask` as base64; `Accept: image/png` or `text/event-stream` "
					+ "answer as for /generate.")
	@EditResponses
	@PostMapping(path = "/inpaint", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	DeferredResult<ResponseEntity<EditResponse>> inpaint(
			@RequestPart("image") @Parameter(description = "The image (PNG, JPEG, BMP, GIF)") MultipartFile image,
			@RequestPart("mask") @Parameter(
					description = "The mask, the image's size: white = fill, black = keep") MultipartFile mask,
			@ParameterObject @Valid @ModelAttribute EditParameters parameters, HttpServletRequest request) {
		return json(upload(image, mask, parameters, GenerationListener.NONE, request), request);
	}

	@Operation(summary = "Super-resolution: upscale to the model's size (DDNM projection)",
			description = "Upscales an image whose sides divide the model's by the same factor (14×14 or 7×7 for "
					+ "the shipped 28×28 model) to the model's size. The output is consistent with the input: "
					+ "averaging each factor×factor block gives the input back. Also takes JSON with `image` as "
					+ "base64; `Accept: image/png` or `text/event-stream` as for /generate.")
	@EditResponses
	@PostMapping(path = "/super-resolution", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	DeferredResult<ResponseEntity<EditResponse>> superResolution(
			@RequestPart("image") @Parameter(description = "The low-resolution image") MultipartFile image,
			@RequestPart(name = "mask", required = false) @Parameter(hidden = true) MultipartFile mask,
			@ParameterObject @Valid @ModelAttribute EditParameters parameters, HttpServletRequest request) {
		return json(upload(image, mask, parameters, GenerationListener.NONE, request), request);
	}

	@Operation(summary = "Denoise: remove Gaussian noise (Tweedie's posterior mean or the reverse process)",
			description = "`noiseLevel` is the noise's standard deviation on the 0–255 scale; omitted, it is "
					+ "estimated from the image and returned. `method` posterior-mean (default) makes one model call "
					+ "(the least squared error); `sample` runs the sampler from the matching timestep (sharper). "
					+ "Also takes JSON with `image` as base64; `Accept: image/png` or `text/event-stream` as for "
					+ "/generate.")
	@EditResponses
	@PostMapping(path = "/denoise", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	DeferredResult<ResponseEntity<EditResponse>> denoise(
			@RequestPart("image") @Parameter(description = "The noisy image") MultipartFile image,
			@RequestPart(name = "mask", required = false) @Parameter(hidden = true) MultipartFile mask,
			@ParameterObject @Valid @ModelAttribute EditParameters parameters, HttpServletRequest request) {
		return json(upload(image, mask, parameters, GenerationListener.NONE, request), request);
	}

	@Operation(summary = "img2img: restyle an image (SDEdit)",
			description = "Noises the image to `strength` × the schedule (0–1, default 0.6) and runs the sampler "
					+ "back, optionally towards `label`: low strength keeps the layout, high strength repaints. "
					+ "Strength 0 returns the input unchanged. Also takes JSON with `image` as base64; "
					+ "`Accept: image/png` or `text/event-stream` as for /generate.")
	@EditResponses
	@PostMapping(path = "/img2img", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	DeferredResult<ResponseEntity<EditResponse>> imageToImage(
			@RequestPart("image") @Parameter(description = "The image to restyle") MultipartFile image,
			@RequestPart(name = "mask", required = false) @Parameter(hidden = true) MultipartFile mask,
			@ParameterObject @Valid @ModelAttribute EditParameters parameters, HttpServletRequest request) {
		return json(upload(image, mask, parameters, GenerationListener.NONE, request), request);
	}

	@Operation(summary = "Edit an image sent as base64 JSON")
	@EditResponses
	@PostMapping(path = { "/inpaint", "/super-resolution", "/denoise", "/img2img" },
			consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
	DeferredResult<ResponseEntity<EditResponse>> editJson(@RequestBody EditRequest body, HttpServletRequest request) {
		return json(fromJson(body, GenerationListener.NONE, request), request);
	}

	@Operation(hidden = true)
	@PostMapping(path = { "/inpaint", "/super-resolution", "/denoise", "/img2img" },
			consumes = MediaType.MULTIPART_FORM_DATA_VALUE, produces = MediaType.IMAGE_PNG_VALUE)
	DeferredResult<ResponseEntity<byte[]>> uploadPng(@RequestPart("image") MultipartFile image,
			@RequestPart(name = "mask", required = false) MultipartFile mask,
			@Valid @ModelAttribute EditParameters parameters, HttpServletRequest request) {
		requireOneImage(parameters);
		return png(upload(image, mask, parameters, GenerationListener.NONE, request), request);
	}

	@Operation(hidden = true)
	@PostMapping(path = { "/inpaint", "/super-resolution", "/denoise", "/img2img" },
			consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.IMAGE_PNG_VALUE)
	DeferredResult<ResponseEntity<byte[]>> jsonPng(@RequestBody EditRequest body, HttpServletRequest request) {
		requireOneImage(body.parameters());
		return png(fromJson(body, GenerationListener.NONE, request), request);
	}

	@Operation(hidden = true)
	@PostMapping(path = { "/inpaint", "/super-resolution", "/denoise", "/img2img" },
			consumes = MediaType.MULTIPART_FORM_DATA_VALUE, produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter uploadStream(@RequestPart("image") MultipartFile image,
			@RequestPart(name = "mask", required = false) MultipartFile mask,
			@Valid @ModelAttribute EditParameters parameters, HttpServletRequest request) {
		return this.answers.stream(this.service.resolveName(parameters.model()),
				(listener) -> upload(image, mask, parameters, listener, request), EditResponse::of);
	}

	@Operation(hidden = true)
	@PostMapping(path = { "/inpaint", "/super-resolution", "/denoise", "/img2img" },
			consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter jsonStream(@RequestBody EditRequest body, HttpServletRequest request) {
		return this.answers.stream(this.service.resolveName(body.model()),
				(listener) -> fromJson(body, listener, request), EditResponse::of);
	}

	private DeferredResult<ResponseEntity<EditResponse>> json(GenerationJob job, HttpServletRequest request) {
		return this.answers.whenDone(job, request,
				(pngs) -> ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(EditResponse.of(job, pngs)));
	}

	private DeferredResult<ResponseEntity<byte[]>> png(GenerationJob job, HttpServletRequest request) {
		return this.answers.whenDone(job, request,
				(pngs) -> ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).body(pngs.get(0)));
	}

	private static void requireOneImage(EditParameters parameters) {
		if (parameters.count() != null && parameters.count() > 1) {
			throw new InvalidParameterException("count",
					"An image/png answer holds one image; ask for count 1 or accept application/json");
		}
	}

	private GenerationJob upload(MultipartFile image, MultipartFile mask, EditParameters parameters,
			GenerationListener listener, HttpServletRequest request) {
		// A misspelt form field would otherwise be ignored without a word.
		for (String name : Collections.list(request.getParameterNames())) {
			if (!PARAMETERS.contains(name)) {
				throw unknownParameter(name);
			}
		}
		return start(bytes(image), (mask != null) ? bytes(mask) : null, parameters, listener, request);
	}

	private GenerationJob fromJson(EditRequest body, GenerationListener listener, HttpServletRequest request) {
		if (!body.unknownFields().isEmpty()) {
			throw unknownParameter(body.unknownFields().get(0));
		}
		EditParameters parameters = body.parameters();
		this.validator.validate(parameters)
			.stream()
			.min(Comparator
				.comparing((ConstraintViolation<EditParameters> violation) -> violation.getPropertyPath().toString()))
			.ifPresent((violation) -> {
				throw new InvalidParameterException(violation.getPropertyPath().toString(),
						violation.getPropertyPath() + " " + violation.getMessage());
			});
		if (body.image() == null) {
			throw new InvalidParameterException("image", "The body has no 'image' (the image file as base64)");
		}
		return start(base64("image", body.image()), (body.mask() != null) ? base64("mask", body.mask()) : null,
				parameters, listener, request);
	}

	private static InvalidParameterException unknownParameter(String name) {
		return new InvalidParameterException(name, "Unknown parameter '" + name + "'; the editing endpoints take "
				+ Stream.concat(Stream.of("image", "mask"), PARAMETERS.stream()).sorted().toList());
	}

	private GenerationJob start(byte[] image, byte[] mask, EditParameters parameters, GenerationListener listener,
			HttpServletRequest request) {
		EditMode mode = EditMode.ofPath(request.getRequestURI());
		String name = this.service.resolveName(parameters.model());
		RequestAttributes.describe(request, mode.path(), this.service.isKnown(name) ? name : "unknown");
		return this.service.startEdit(mode, image, mask, parameters, listener, RequestTimeout.from(request::getHeader),
				Instant.now());
	}

	private static byte[] bytes(MultipartFile part) {
		try {
			return part.getBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static byte[] base64(String field, String value) {
		try {
			return Base64.getMimeDecoder().decode(value);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidParameterException(field, "'" + field + "' is not valid base64");
		}
	}

}
