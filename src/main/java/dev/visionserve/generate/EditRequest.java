package dev.visionserve.generate;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * The JSON body of the editing endpoints, for API clients: the images as base64 strings
 * of their files, beside the same fields as the multipart form ({@link EditParameters},
 * which validates them).
 *
 * @param image the image file (PNG, JPEG, BMP, GIF), base64
 * @param mask inpainting: the mask file, base64; white = fill, black = keep
 * @param unknown the keys of the body that are none of these (refused)
 */
@Schema(example = "{\"image\":\"iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAAAAABXZoBIAAAA...\",\"strength\":0.6,\"label\":\"Sneaker\",\"seed\":7}")
public record EditRequest(
		@Schema(requiredMode = Schema.RequiredMode.REQUIRED,
				format = "byte") @JsonDeserialize(using = Base64Text.class) String image,
		@Schema(format = "byte") @JsonDeserialize(using = Base64Text.class) String mask, String model, String label,
		Integer count, Integer steps, String sampler, Double eta, Double guidanceScale, Long seed, Integer previewEvery,
		Integer jumpLength, Integer resampleCount, Double noiseLevel, String method, Double strength,
		@JsonAnySetter @Schema(hidden = true) Map<String, Object> unknown) {

	/**
	 * @return the names of the body's keys that are no field of this record, sorted; a
	 * misspelt {@code strenght} must not silently become the default, as the multipart
	 * form refuses it too
	 */
	List<String> unknownFields() {
		return (this.unknown != null) ? this.unknown.keySet().stream().sorted().toList() : List.of();
	}

	EditParameters parameters() {
		return new EditParameters(this.model, this.label, this.count, this.steps, this.sampler, this.eta,
				this.guidanceScale, this.seed, this.previewEvery, this.jumpLength, this.resampleCount, this.noiseLevel,
				this.method, this.strength);
	}

}
