package dev.visionserve.generate;

import java.util.List;

/**
 * Hears a generation's progress. Called on the engine's lane thread, so implementations
 * must be quick and must never block (no socket writes); an exception thrown here (a
 * client that went away) cancels the job.
 */
interface GenerationListener {

	GenerationListener NONE = new GenerationListener() {
	};

	/** A denoising step finished. */
	default void progress(int step, int totalSteps, long elapsedMillis) throws Exception {
	}

	/**
	 * @return whether a preview that is due should be made; a listener that cannot send
	 * it now says no, and the images are not even encoded
	 */
	default boolean wantsPreview() {
		return true;
	}

	/**
	 * The predicted clean images after a step, as PNGs, every {@code previewEvery} steps.
	 */
	default void preview(int step, List<byte[]> pngs) throws Exception {
	}

}
