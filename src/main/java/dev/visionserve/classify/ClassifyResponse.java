package dev.visionserve.classify;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The answer to {@code POST /classify}: one result per image, in request order.
 *
 * @param model the model that answered
 * @param results one per image
 */
@Schema(example = """
		{"model":"fashion-resnet","results":[{"predictions":[{"label":"Sneaker","index":7,"probability":0.97},\
		{"label":"Sandal","index":5,"probability":0.02}]}]}""")
public record ClassifyResponse(String model, List<ImageResult> results) {

	/**
	 * @param predictions the top-K classes, most probable first
	 */
	public record ImageResult(List<Prediction> predictions) {

	}

	/**
	 * @param label the class name from the model's labels (its index when the model has
	 * none)
	 * @param index the class index in the model's output
	 * @param probability softmax probability, 0–1
	 */
	public record Prediction(String label, int index, double probability) {

	}

}
