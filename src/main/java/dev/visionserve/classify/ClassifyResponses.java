package dev.visionserve.classify;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/**
 * The documented responses of both {@code /classify} operations, declared once.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ApiResponse(responseCode = "200", description = "One result per image, in request order",
		content = @Content(mediaType = "application/json", schema = @Schema(implementation = ClassifyResponse.class)))
@ApiResponse(responseCode = "400", description = "INVALID_IMAGE (not an image, damaged, empty) or INVALID_PARAMETER",
		content = @Content(mediaType = "application/problem+json", examples = @ExampleObject("""
				{"type":"urn:visionserve:problem:invalid-image","title":"Invalid image","status":400,\
				"detail":"The image could not be decoded: Error reading PNG image data","instance":"/classify",\
				"code":"INVALID_IMAGE"}""")))
@ApiResponse(responseCode = "404", description = "UNKNOWN_MODEL: no classifier of that name",
		content = @Content(mediaType = "application/problem+json"))
@ApiResponse(responseCode = "413",
		description = "PAYLOAD_TOO_LARGE: body, image count or decoded pixel count over the limit",
		content = @Content(mediaType = "application/problem+json"))
@ApiResponse(responseCode = "415", description = "UNSUPPORTED_MEDIA_TYPE: neither multipart nor an image type",
		content = @Content(mediaType = "application/problem+json"))
@ApiResponse(responseCode = "429", description = "QUEUE_FULL: the model's queue is full; retry after Retry-After",
		content = @Content(mediaType = "application/problem+json"))
@ApiResponse(responseCode = "503",
		description = "DEADLINE_EXCEEDED (the request timed out in the queue) or MODEL_NOT_READY",
		content = @Content(mediaType = "application/problem+json"))
@interface ClassifyResponses {

}
