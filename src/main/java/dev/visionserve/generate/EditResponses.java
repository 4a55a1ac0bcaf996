package dev.visionserve.generate;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/**
 * The documented answers of the editing endpoints, in one place for the four of them.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ApiResponse(responseCode = "200", description = "The edited images",
		content = { @Content(mediaType = "application/json", schema = @Schema(implementation = EditResponse.class)),
				@Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary")),
				@Content(mediaType = "text/event-stream",
						schema = @Schema(description = "progress, preview and result events, as for /generate")) })
@ApiResponse(responseCode = "400",
		description = "INVALID_PARAMETER (a field out of range or of another mode, a missing or mis-sized mask, an "
				+ "image size super-resolution cannot use) or INVALID_IMAGE",
		content = @Content(mediaType = "application/problem+json"))
@ApiResponse(responseCode = "404", description = "UNKNOWN_MODEL: no denoiser of that name",
		content = @Content(mediaType = "application/problem+json"))
@ApiResponse(responseCode = "413", description = "PAYLOAD_TOO_LARGE: the image declares too many pixels",
		content = @Content(mediaType = "application/problem+json"))
@ApiResponse(responseCode = "429", description = "QUEUE_FULL: too many jobs waiting; retry after Retry-After",
		content = @Content(mediaType = "application/problem+json"))
@ApiResponse(responseCode = "503", description = "DEADLINE_EXCEEDED, MODEL_NOT_READY or SHUTTING_DOWN",
		content = @Content(mediaType = "application/problem+json"))
@interface EditResponses {

}
