package dev.visionserve.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The batch sizes a session is run with. On a GPU every new input shape costs a cuDNN
 * algorithm search, so batches are padded up to a few buckets (powers of two and the
 * maximum), each warmed up before the model reports ready. On the CPU padding only wastes
 * work, so every size is its own bucket. Immutable.
 */
final class BatchBuckets {

	private final List<Integer> sizes;

	private BatchBuckets(List<Integer> sizes) {
		this.sizes = sizes;
	}

	static BatchBuckets exact() {
		return new BatchBuckets(List.of());
	}

	static BatchBuckets powersOfTwoUpTo(int maxBatchSize) {
		List<Integer> sizes = new ArrayList<>();
		for (int size = 1; size < maxBatchSize; size *= 2) {
			sizes.add(size);
		}
		sizes.add(maxBatchSize);
		return new BatchBuckets(List.copyOf(sizes));
	}

	/**
	 * @return the rows to run for a batch of {@code rows} rows
	 */
	int padded(int rows) {
		for (int size : this.sizes) {
			if (size >= rows) {
				return size;
			}
		}
		return rows;
	}

	/**
	 * @return the batch sizes to warm up
	 */
	List<Integer> warmUpSizes() {
		return this.sizes.isEmpty() ? List.of(1) : this.sizes;
	}

}
