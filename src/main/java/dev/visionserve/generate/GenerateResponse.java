package dev.visionserve.generate;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The answer to {@code POST /generate} in JSON, and the {@code result} event of the
 * stream.
 *
 * @param model the denoiser used
 * @param seed the first image's seed
 * @param steps denoising steps run
 * @param sampler the sampler used
 * @param images the images, in seed order
 */
@Schema(example = "{\"model\":\"fashion-ddpm\",\"seed\":7,\"steps\":10,\"sampler\":\"unipc-karras\","
		+ "\"images\":[{\"png\":\"iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAAAAABXZoBIAAAA...\",\"seed\":7}]}")
public record GenerateResponse(String model, long seed, int steps, String sampler, List<Image> images) {

	/**
	 * @return the images of a job as base64 PNGs with their seeds
	 */
	static List<Image> images(GenerationSpec spec, List<byte[]> pngs) {
		List<Image> images = new ArrayList<>();
		for (int i = 0; i < pngs.size(); i++) {
			images.add(new Image(Base64.getEncoder().encodeToString(pngs.get(i)), spec.seed() + i));
		}
		return images;
	}

	/**
	 * @param png the image as base64-encoded PNG
	 * @param seed the seed that reproduces this image alone
	 */
	public record Image(String png, long seed) {

	}

}
