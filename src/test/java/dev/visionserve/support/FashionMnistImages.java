package dev.visionserve.support;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The 300 Fashion-MNIST test images committed under
 * {@code src/test/resources/fashion-mnist} (made by
 * {@code models/training/make_test_images.py}), with their true labels.
 */
public final class FashionMnistImages {

	public static final int COUNT = 300;

	private FashionMnistImages() {
	}

	public record LabeledImage(int index, int label, byte[] png) {

	}

	public static List<LabeledImage> load() throws IOException {
		List<LabeledImage> images = new ArrayList<>();
		for (int i = 0; i < COUNT; i++) {
			images.add(find(i));
		}
		return images;
	}

	private static LabeledImage find(int index) throws IOException {
		for (int label = 0; label < 10; label++) {
			String name = String.format("/fashion-mnist/%04d_%d.png", index, label);
			try (InputStream in = FashionMnistImages.class.getResourceAsStream(name)) {
				if (in != null) {
					return new LabeledImage(index, label, in.readAllBytes());
				}
			}
		}
		throw new IllegalStateException("No fixture for test image " + index);
	}

}
