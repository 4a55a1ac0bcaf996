package dev.visionserve.generate.scheduler;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

/**
 * The blind noise estimator on images like a noisy Fashion-MNIST PNG: a grey garment on
 * black, Gaussian noise added on the 0–255 scale, rounded and clipped to 8 bit.
 */
class NoiseLevelEstimatorTests {

	private static final int SIZE = 28;

	/**
	 * On training images the estimate's spread is about 10 % of σ (see the class
	 * comment); the mean of 20 images then has a spread near 2.5 %, so 8 % leaves room
	 * for the synthetic image without letting the textbook estimator's 20–36 % shortfall
	 * pass. One image may stray further: 35 % is over three spreads.
	 */
	@ParameterizedTest
	@ValueSource(doubles = { 25, 50, 100 })
	void readsClippedNoiseOnABlackBackgroundAtItsLevel(double sigma) {
		double sum = 0;
		int images = 20;
		for (int seed = 0; seed < images; seed++) {
			double estimate = NoiseLevelEstimator.estimate(noisy(garment(), sigma, seed), 1, SIZE, SIZE);
			assertThat(estimate).isCloseTo(sigma, within(0.35 * sigma));
			sum += estimate;
		}
		assertThat(sum / images).isCloseTo(sigma, within(0.08 * sigma));
	}

	@Test
	void readsACleanImageAsNoiseFree() {
		assertThat(NoiseLevelEstimator.estimate(garment(), 1, SIZE, SIZE)).isZero();
	}

	@Test
	void fallsBackToTheWaveletEstimateWithoutBlackBackground() {
		float[] grey = new float[SIZE * SIZE];
		Arrays.fill(grey, 128);
		double sum = 0;
		for (int seed = 0; seed < 20; seed++) {
			sum += NoiseLevelEstimator.estimate(noisy(grey, 10, seed), 1, SIZE, SIZE);
		}
		// 196 blocks per image: the median's spread is about 9 %, 2 % for the mean of 20.
		assertThat(sum / 20).isCloseTo(10, within(1.0));
	}

	@Test
	void poolsTheChannelsOfAColourImage() {
		float[] one = noisy(garment(), 50, 3);
		float[] three = new float[3 * one.length];
		for (int c = 0; c < 3; c++) {
			System.arraycopy(one, 0, three, c * one.length, one.length);
		}
		assertThat(NoiseLevelEstimator.estimate(three, 3, SIZE, SIZE))
			.isCloseTo(NoiseLevelEstimator.estimate(one, 1, SIZE, SIZE), within(1e-9));
	}

	/**
	 * The same image as {@code parity_image()} in
	 * {@code models/training/prototype_editing.py}, whose {@code estimator} command
	 * prints 84.4539444262 for it (with the same calibration): the Java transcription
	 * computes what was measured.
	 */
	@Test
	void agreesWithThePrototypeThatMeasuredIt() {
		float[] image = new float[SIZE * SIZE];
		for (int r = 0; r < SIZE; r++) {
			for (int c = 0; c < SIZE; c++) {
				long u = (((long) (r * SIZE + c) * 2654435761L) & 0xFFFFFFFFL) >>> 24;
				boolean inside = r >= 8 && r < 20 && c >= 8 && c < 20;
				image[r * SIZE + c] = inside ? 100 + u % 50 : (u < 128) ? 0 : u - 128;
			}
		}
		assertThat(NoiseLevelEstimator.estimate(image, 1, SIZE, SIZE)).isCloseTo(PARITY_ESTIMATE, within(1e-6));
	}

	@Test
	void rejectsPixelsThatDoNotMatchTheShape() {
		assertThatIllegalArgumentException().isThrownBy(() -> NoiseLevelEstimator.estimate(new float[10], 1, 3, 3));
		assertThatIllegalArgumentException().isThrownBy(() -> NoiseLevelEstimator.estimate(new float[1], 1, 1, 1));
	}

	private static final double PARITY_ESTIMATE = 84.4539444262;

	/**
	 * A grey rectangle with a gradient (60–200) on black, like a Fashion-MNIST garment.
	 */
	private static float[] garment() {
		float[] image = new float[SIZE * SIZE];
		for (int r = 5; r < 23; r++) {
			for (int c = 8; c < 20; c++) {
				image[r * SIZE + c] = 60 + 140f * (r - 5) / 17;
			}
		}
		return image;
	}

	private static float[] noisy(float[] clean, double sigma, long seed) {
		Random random = new Random(seed);
		float[] noisy = new float[clean.length];
		for (int i = 0; i < clean.length; i++) {
			noisy[i] = (float) Math.min(255, Math.max(0, Math.round(clean[i] + sigma * random.nextGaussian())));
		}
		return noisy;
	}

}
