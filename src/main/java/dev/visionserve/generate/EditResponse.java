package dev.visionserve.generate;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The answer of the editing endpoints in JSON, and the {@code result} event of their
 * stream.
 *
 * @param model the denoiser used
 * @param mode inpaint, super-resolution, denoise or img2img
 * @param seed the first image's seed
 * @param steps the sampler's steps
 * @param sampler the sampler used
 * @param modelCalls denoiser calls per image (each two rows with guidance); RePaint's
 * resampling makes more calls than steps, SDEdit and denoising fewer
 * @param noiseLevel denoising: the noise level used, on the 0–255 scale
 * @param noiseLevelEstimated denoising: whether it was estimated from the image
 * @param images the images, in seed order
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(example = "{\"model\":\"fashion-ddpm\",\"mode\":\"img2img\",\"seed\":7,\"steps\":25,\"sampler\":\"ddim\","
		+ "\"modelCalls\":15,\"images\":[{\"png\":\"iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAAAAABXZoBIAAAA...\",\"seed\":7}]}")
public record EditResponse(String model, String mode, long seed, int steps, String sampler, int modelCalls,
		Double noiseLevel, Boolean noiseLevelEstimated, List<GenerateResponse.Image> images) {

	static EditResponse of(GenerationJob job, List<byte[]> pngs) {
		GenerationSpec spec = job.spec();
		Double noiseLevel = null;
		Boolean estimated = null;
		if (spec.plan() instanceof EditPlan.Denoise denoise) {
			noiseLevel = Math.round(denoise.noiseLevel() * 100) / 100.0;
			estimated = denoise.estimated();
		}
		return new EditResponse(spec.denoiser().model().name(), spec.plan().mode(), spec.seed(), spec.steps(),
				spec.sampler(), job.totalSteps(), noiseLevel, estimated, GenerateResponse.images(spec, pngs));
	}

}
