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
 * The body of {@code POST /generate}. Every field is optional; model-dependent limits
 * (steps, labels, rows) are checked against the model once it is resolved.
 *
 * @param model the denoiser; default: the configured default denoiser
 * @param label class name or index; omitted: unconditional
 * @param count images to generate, 1–16, with seeds seed, seed+1, …
 * @param steps denoising steps, 1 to the model's training timesteps; default: the model's
 * @param sampler ddim, ddpm, euler, dpmpp-2m, dpmpp-2m-karras, unipc or unipc-karras (the
 * last three for few steps); default: the model's
 * @param eta DDIM stochasticity, 0 (deterministic) to 1
 * @param guidanceScale classifier-free guidance, 0–20; 1 or less means none; default: the
 * model's
 * @param seed the first image's seed, 0 to 2^53−1; omitted: random, returned in the
 * response
 * @param previewEvery with text/event-stream: send the predicted clean image every this
 * many steps
 */
@Schema(example = "{\"label\":\"Sneaker\",\"seed\":7}")
public record GenerateRequest(
		@Schema(example = "fashion-ddpm") @Size(max = MAX_NAME) @Pattern(regexp = PRINTABLE,
				message = NO_CONTROL) String model,
		@Schema(description = "Class name or index; omitted: unconditional", example = "Sneaker") @Size(
				max = MAX_NAME) @Pattern(regexp = PRINTABLE, message = NO_CONTROL) String label,
		@Min(1) @Max(16) Integer count, @Min(1) Integer steps, @Schema(allowableValues = {
				"ddim", "ddpm", "euler", "dpmpp-2m", "dpmpp-2m-karras", "unipc", "unipc-karras" }) @Size(
						max = MAX_NAME) @Pattern(regexp = PRINTABLE, message = NO_CONTROL) String sampler,
		@DecimalMin("0") @DecimalMax("1") Double eta, @DecimalMin("0") @DecimalMax("20") Double guidanceScale,
		@PositiveOrZero @Max(MAX_SEED) Long seed, @Min(1) Integer previewEvery){

	/** Seeds stay below 2^53 so JavaScript clients can hold them exactly. */
	static final long MAX_SEED = (1L << 53) - 1;

	/** Names and labels are short; a longer one is a mistake, not something to echo. */
	static final int MAX_NAME = 200;

	/**
	 * No control characters: {@code String.trim} would silently drop a trailing NUL and
	 * accept the name.
	 */
	static final String PRINTABLE = "\\P{Cc}*";

	static final String NO_CONTROL = "must not contain control characters";

}
