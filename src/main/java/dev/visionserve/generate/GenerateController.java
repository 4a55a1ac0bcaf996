package dev.visionserve.generate;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.visionserve.metrics.RequestAttributes;
import dev.visionserve.runtime.InvalidParameterException;
import dev.visionserve.runtime.RequestTimeout;

/**
 * {@code POST /generate}: runs a diffusion sampler over a denoiser and answers with the
 * images as JSON, as one PNG, or as a server-sent event stream with progress, previews
 * and the result.
 */
@RestController
@Tag(name = "Generation", description = "Generate images with a diffusion denoiser")
class GenerateController {

	static final String ENDPOINT = "generate";

	private final GenerationService service;

	private final JobAnswers answers;

	GenerateController(GenerationService service, JobAnswers answers) {
		this.service = service;
		this.answers = answers;
	}

	@Operation(summary = "Generate images",
			description = "Runs the sampler loop and answers when it is done: JSON with base64 PNGs by default, the PNG "
					+ "itself with `Accept: image/png` (count 1). With `Accept: text/event-stream` the same operation "
					+ "streams `progress`, `preview` and `result` events instead (see the event-stream response).")
	@ApiResponse(responseCode = "200", description = "The generated images",
			content = {
					@Content(mediaType = "application/json", schema = @Schema(implementation = GenerateResponse.class)),
					@Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary")),
					@Content(mediaType = "text/event-stream",
							examples = @ExampleObject("""
									event:progress
									data:{"step":1,"totalSteps":50,"elapsed":41}

									event:preview
									data:{"step":10,"images":["iVBORw0KGgo..."]}

									event:result
									data:{"model":"fashion-ddpm","seed":7,"steps":10,"sampler":"unipc-karras","images":[{"png":"iVBORw0KGgo...","seed":7}]}
									""")) })
	@ApiResponse(responseCode = "400",
			description = "INVALID_PARAMETER: a field out of range, an unknown label (the valid ones are listed) or "
					+ "sampler, or image/png asked for several images",
			content = @Content(mediaType = "application/problem+json", examples = @ExampleObject("""
					{"type":"urn:visionserve:problem:invalid-parameter","title":"Invalid parameter","status":400,\
					"detail":"label 'Hat' is unknown; use a class index 0 to 9 or one of [T-shirt/top, Trouser, ...]",\
					"instance":"/generate","code":"INVALID_PARAMETER"}""")))
	@ApiResponse(responseCode = "404", description = "UNKNOWN_MODEL: no denoiser of that name",
			content = @Content(mediaType = "application/problem+json"))
	@ApiResponse(responseCode = "429",
			description = "QUEUE_FULL: too many generations waiting; retry after Retry-After",
			content = @Content(mediaType = "application/problem+json"))
	@ApiResponse(responseCode = "503", description = "DEADLINE_EXCEEDED or MODEL_NOT_READY",
			content = @Content(mediaType = "application/problem+json"))
	// The JSON form also answers */* and requests without Accept (both are compatible
	// with application/json); Spring's negotiation picks the PNG and the event-stream
	// forms below when a client asks for them, and answers 406 to anything else.
	@PostMapping(path = "/generate", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	DeferredResult<ResponseEntity<GenerateResponse>> generate(@Valid @RequestBody GenerateRequest body,
			HttpServletRequest request) {
		GenerationJob job = start(body, GenerationListener.NONE, request);
		return this.answers.whenDone(job, request,
				(pngs) -> ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(response(job, pngs)));
	}

	@Operation(summary = "Generate one image as PNG (image/png)", hidden = true)
	@PostMapping(path = "/generate", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.IMAGE_PNG_VALUE)
	DeferredResult<ResponseEntity<byte[]>> generatePng(@Valid @RequestBody GenerateRequest body,
			HttpServletRequest request) {
		if (body.count() != null && body.count() > 1) {
			throw new InvalidParameterException("count",
					"An image/png answer holds one image; ask for count 1 or accept application/json");
		}
		GenerationJob job = start(body, GenerationListener.NONE, request);
		return this.answers.whenDone(job, request,
				(pngs) -> ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).body(pngs.get(0)));
	}

	@Operation(summary = "Generate images, streaming progress (text/event-stream)", hidden = true)
	@PostMapping(path = "/generate", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter stream(@Valid @RequestBody GenerateRequest body, HttpServletRequest request) {
		return this.answers.stream(this.service.resolveName(body.model()), (listener) -> start(body, listener, request),
				GenerateController::response);
	}

	private GenerationJob start(GenerateRequest body, GenerationListener listener, HttpServletRequest request) {
		String name = this.service.resolveName(body.model());
		RequestAttributes.describe(request, ENDPOINT, this.service.isKnown(name) ? name : "unknown");
		return this.service.start(body, listener, RequestTimeout.from(request::getHeader), Instant.now());
	}

	private static GenerateResponse response(GenerationJob job, List<byte[]> pngs) {
		GenerationSpec spec = job.spec();
		return new GenerateResponse(spec.denoiser().model().name(), spec.seed(), job.totalSteps(), spec.sampler(),
				GenerateResponse.images(spec, pngs));
	}

}
