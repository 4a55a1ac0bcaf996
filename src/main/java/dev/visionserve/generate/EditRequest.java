package dev.visionserve.generate;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The JSON body of the editing endpoints, for API clients: the images as base64 strings
 * of their files, beside the same fields as the multipart form ({@link EditParameters},
 * which validates them).
 *
 * @param image the image file (PNG, JPEG, BMP, GIF), base64
 * @param mask inpainting: the mask file, base64; white = fill, black = keep
 */
@Schema(example = "{\"image\":\"iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAAAAABXZoBIAAAA...\",\"strength\":0.6,\"label\":\"Sneaker\",\"seed\":7}")
public record EditRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "byte") String image,
		@Schema(format = "byte") String mask, String model, String label, Integer count, Integer steps, String sampler,
		Double eta, Double guidanceScale, Long seed, Integer previewEvery, Integer jumpLength, Integer resampleCount,
		Double noiseLevel, String method, Double strength) {

	EditParameters parameters() {
		return new EditParameters(this.model, this.label, this.count, this.steps, this.sampler, this.eta,
				this.guidanceScale, this.seed, this.previewEvery, this.jumpLength, this.resampleCount, this.noiseLevel,
				this.method, this.strength);
	}

}
