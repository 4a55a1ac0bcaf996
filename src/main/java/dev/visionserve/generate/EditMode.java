package dev.visionserve.generate;

import java.util.List;
import java.util.Locale;

/**
 * The four editing endpoints, with the parameters that belong to each and the defaults
 * chosen for them by measurement (docs/editing.md: the quality–time curves of the shipped
 * denoiser, tuned on training images).
 */
enum EditMode {

	INPAINT("inpaint", List.of("jumpLength", "resampleCount"), 25, "ddim", 1.0, null),

	SUPER_RESOLUTION("super-resolution", List.of(), 10, "ddim", 1.0, null),

	DENOISE("denoise", List.of("noiseLevel", "method"), 10, "ddim", 0.0, null),

	/**
	 * Steering a whole image to another class takes stronger guidance than drawing one.
	 */
	IMG2IMG("img2img", List.of("strength"), 25, "ddim", 0.0, 4.0);

	private final String path;

	private final List<String> ownParameters;

	private final int defaultSteps;

	private final String defaultSampler;

	private final double defaultEta;

	private final Double defaultGuidanceScale;

	EditMode(String path, List<String> ownParameters, int defaultSteps, String defaultSampler, double defaultEta,
			Double defaultGuidanceScale) {
		this.path = path;
		this.ownParameters = ownParameters;
		this.defaultSteps = defaultSteps;
		this.defaultSampler = defaultSampler;
		this.defaultEta = defaultEta;
		this.defaultGuidanceScale = defaultGuidanceScale;
	}

	/** The endpoint's path without its slash, and the metrics' {@code mode} tag. */
	String path() {
		return this.path;
	}

	boolean owns(String parameter) {
		return this.ownParameters.contains(parameter);
	}

	int defaultSteps() {
		return this.defaultSteps;
	}

	String defaultSampler() {
		return this.defaultSampler;
	}

	double defaultEta() {
		return this.defaultEta;
	}

	/**
	 * @return the mode's guidance scale with a label, or {@code null} for the model's
	 */
	Double defaultGuidanceScale() {
		return this.defaultGuidanceScale;
	}

	/**
	 * @return the mode of an endpoint path such as {@code /inpaint}
	 */
	static EditMode ofPath(String path) {
		String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
		for (EditMode mode : values()) {
			if (mode.path.equals(name)) {
				return mode;
			}
		}
		throw new IllegalArgumentException("No editing mode at " + path);
	}

}
