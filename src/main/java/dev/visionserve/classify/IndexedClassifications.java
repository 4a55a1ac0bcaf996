package dev.visionserve.classify;

import java.util.List;

import ai.djl.modality.Classifications;

/**
 * DJL's {@link Classifications} (which does the ranking for top-K) with each item also
 * carrying its class index, which DJL's own items lack and API clients need when labels
 * repeat or are missing.
 */
final class IndexedClassifications extends Classifications {

	IndexedClassifications(List<String> classNames, List<Double> probabilities) {
		super(classNames, probabilities);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T extends Classification> T item(int index) {
		return (T) new IndexedClassification(this.classNames.get(index), index, this.probabilities.get(index));
	}

	static final class IndexedClassification extends Classification {

		private final int index;

		IndexedClassification(String className, int index, double probability) {
			super(className, probability);
			this.index = index;
		}

		int index() {
			return this.index;
		}

	}

}
