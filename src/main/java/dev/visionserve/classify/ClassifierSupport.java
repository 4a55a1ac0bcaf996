package dev.visionserve.classify;

import java.util.Arrays;

import dev.visionserve.runtime.LoadedModel;
import dev.visionserve.runtime.ModelConfig.Preprocessing;
import dev.visionserve.runtime.ModelKindSupport;
import dev.visionserve.runtime.ModelLoadException;
import dev.visionserve.runtime.TensorSpec;

/**
 * Checks at load time that a {@code kind: classifier} model takes one float32 NCHW image
 * whose channels match the color mode and whose size matches the preprocessing, and
 * returns {@code [batch, classes]} scores with a label for every class. Stateless.
 */
public final class ClassifierSupport implements ModelKindSupport {

	public static final String KIND = "classifier";

	static final String IMAGE_ROLE = "image";

	static final String SCORES_ROLE = "scores";

	@Override
	public String kind() {
		return KIND;
	}

	@Override
	public void validate(LoadedModel model) throws ModelLoadException {
		if (model.inputs().size() != 1) {
			throw new ModelLoadException("a classifier takes exactly one input; this model takes " + model.inputs());
		}
		TensorSpec image = model.input(IMAGE_ROLE);
		long[] shape = image.shape();
		Preprocessing config = model.config().preprocessing();
		int channels = config.colorMode().channels();
		if (image.type() != TensorSpec.ElementType.FLOAT32 || shape.length != 4) {
			throw new ModelLoadException(
					"a classifier's input must be float32 [batch, channels, height, width] (NCHW); "
							+ "this model's is " + image);
		}
		if (shape[1] != channels) {
			throw new ModelLoadException("input " + image + " has " + shape[1]
					+ " channels but preprocessing.colorMode " + config.colorMode() + " gives " + channels);
		}
		requireSize("width", config.width(), shape[3], image);
		requireSize("height", config.height(), shape[2], image);
		TensorSpec scores = model.output(SCORES_ROLE);
		long[] scoreShape = scores.shape();
		if (scores.type() != TensorSpec.ElementType.FLOAT32 || scoreShape.length != 2 || scoreShape[1] <= 0) {
			throw new ModelLoadException(
					"a classifier's output must be float32 [batch, classes]; this model's is " + scores);
		}
		if (!model.labels().isEmpty() && model.labels().size() != scoreShape[1]) {
			throw new ModelLoadException("the labels file has " + model.labels().size()
					+ " labels but the model scores " + scoreShape[1] + " classes " + Arrays.toString(scoreShape));
		}
	}

	private static void requireSize(String name, Integer configured, long actual, TensorSpec image)
			throws ModelLoadException {
		if (configured != null && configured != actual) {
			throw new ModelLoadException(
					"preprocessing." + name + " is " + configured + " but input " + image + " has " + actual);
		}
	}

}
