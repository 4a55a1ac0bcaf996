package dev.visionserve.generate;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * The parameters of the editing endpoints, as form fields of a multipart upload or fields
 * of a JSON body: the {@code /generate} ones, then those of one mode each (a parameter
 * sent to another mode's endpoint is refused). Every field is optional.
 *
 * @param model the denoiser; default: the configured default denoiser
 * @param label class name or index to steer towards; omitted: unconditional
 * @param count images, 1–16, with seeds seed, seed+1, …
 * @param steps sampler steps; default: the mode's
 * @param sampler ddim, ddpm, euler, dpmpp-2m, dpmpp-2m-karras, unipc or unipc-karras
 * (inpainting: ddim or ddpm; denoising: not the Karras ones)
 * @param eta DDIM stochasticity, 0–1
 * @param guidanceScale classifier-free guidance with a label, 0–20
 * @param seed the first image's seed
 * @param previewEvery with text/event-stream: a preview every this many model calls
 * @param jumpLength inpainting: RePaint's jump length j, in steps
 * @param resampleCount inpainting: RePaint's resampling count r (1: no resampling)
 * @param noiseLevel denoising: the noise's standard deviation on the 0–255 scale;
 * omitted: estimated from the image
 * @param method denoising: posterior-mean or sample
 * @param strength img2img: how far to noise the input, 0 (keep it) to 1 (pure noise)
 */
public record EditParameters(
		@Schema(example = "fashion-ddpm") @Size(max = GenerateRequest.MAX_NAME) @Pattern(
				regexp = GenerateRequest.PRINTABLE, message = GenerateRequest.NO_CONTROL) String model,
		@Schema(description = "Class name or index to steer towards; omitted: unconditional") @Size(
				max = GenerateRequest.MAX_NAME) @Pattern(regexp = GenerateRequest.PRINTABLE,
						message = GenerateRequest.NO_CONTROL) String label,
		@Min(1) @Max(16) Integer count, @Min(1) Integer steps, @Schema(allowableValues = {
				"ddim", "ddpm", "euler", "dpmpp-2m", "dpmpp-2m-karras", "unipc", "unipc-karras" }) @Size(
						max = GenerateRequest.MAX_NAME) @Pattern(regexp = GenerateRequest.PRINTABLE,
								message = GenerateRequest.NO_CONTROL) String sampler,
		@DecimalMin("0") @DecimalMax("1") Double eta, @DecimalMin("0") @DecimalMax("20") Double guidanceScale,
		@PositiveOrZero @Max(GenerateRequest.MAX_SEED) Long seed, @Min(1) Integer previewEvery,
		@Schema(description = "Inpainting: RePaint's jump length j, in steps") @Min(1) @Max(1000) Integer jumpLength,
		@Schema(description = "Inpainting: RePaint's resampling count r; 1 = no resampling") @Min(1) @Max(MAX_RESAMPLE_COUNT) Integer resampleCount,
		@Schema(description = "Denoising: the noise's standard deviation on the 0–255 scale; omitted: estimated "
				+ "from the image") @DecimalMin("0") @DecimalMax("255") Double noiseLevel,
		@Schema(description = "Denoising: posterior-mean (one model call) or sample (the reverse process)",
				allowableValues = { "posterior-mean", "sample" }) @Size(max = GenerateRequest.MAX_NAME) @Pattern(
						regexp = GenerateRequest.PRINTABLE, message = GenerateRequest.NO_CONTROL) String method,
		@Schema(description = "img2img: 0 returns the input, 1 starts from pure noise") @DecimalMin("0") @DecimalMax("1") Double strength){

	/** RePaint's paper stops at 20; more only multiplies the cost. */
	static final int MAX_RESAMPLE_COUNT = 20;

	static EditParameters none() {
		return new EditParameters(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
	}

	/**
	 * @return the parameters {@code /generate} shares
	 */
	GenerateRequest generation() {
		return new GenerateRequest(this.model, this.label, this.count, this.steps, this.sampler, this.eta,
				this.guidanceScale, this.seed, this.previewEvery);
	}

}
