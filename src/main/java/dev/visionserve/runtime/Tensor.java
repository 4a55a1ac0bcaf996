package dev.visionserve.runtime;

import java.util.Arrays;

/**
 * A dense tensor on the Java heap, float32 or int64, whose first axis is the batch axis.
 * Immutable by convention: nobody writes to the arrays after construction.
 *
 * @param shape dimensions, the first being rows
 * @param floats the float32 data in row-major order, or {@code null} for an int64 tensor
 * @param longs the int64 data in row-major order, or {@code null} for a float32 tensor
 */
public record Tensor(long[] shape, float[] floats, long[] longs) {

	public Tensor {
		if ((floats == null) == (longs == null)) {
			throw new IllegalArgumentException("A tensor holds either floats or longs");
		}
		long elements = Arrays.stream(shape).reduce(1, Math::multiplyExact);
		int length = (floats != null) ? floats.length : longs.length;
		if (elements != length) {
			throw new IllegalArgumentException(
					"Shape " + Arrays.toString(shape) + " needs " + elements + " elements, got " + length);
		}
	}

	public static Tensor ofFloats(float[] data, long... shape) {
		return new Tensor(shape, data, null);
	}

	public static Tensor ofLongs(long[] data, long... shape) {
		return new Tensor(shape, null, data);
	}

	public boolean isFloat() {
		return this.floats != null;
	}

	public int rows() {
		return (int) this.shape[0];
	}

	/**
	 * @return elements per row: the product of every dimension but the first
	 */
	public int rowSize() {
		int size = 1;
		for (int i = 1; i < this.shape.length; i++) {
			size = Math.multiplyExact(size, (int) this.shape[i]);
		}
		return size;
	}

	/**
	 * @return the shape of one row, without the batch axis
	 */
	public long[] rowShape() {
		return Arrays.copyOfRange(this.shape, 1, this.shape.length);
	}

	/**
	 * @return a tensor holding rows {@code [from, from + count)}
	 */
	public Tensor slice(int from, int count) {
		if (from == 0 && count == rows()) {
			// Immutable, so the whole tensor is its own slice: a batch of one job is not
			// copied again.
			return this;
		}
		long[] sliceShape = this.shape.clone();
		sliceShape[0] = count;
		int start = from * rowSize();
		int end = start + count * rowSize();
		return isFloat() ? ofFloats(Arrays.copyOfRange(this.floats, start, end), sliceShape)
				: ofLongs(Arrays.copyOfRange(this.longs, start, end), sliceShape);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof Tensor that && Arrays.equals(this.shape, that.shape)
				&& Arrays.equals(this.floats, that.floats) && Arrays.equals(this.longs, that.longs);
	}

	@Override
	public int hashCode() {
		return 31 * (31 * Arrays.hashCode(this.shape) + Arrays.hashCode(this.floats)) + Arrays.hashCode(this.longs);
	}

	@Override
	public String toString() {
		return (isFloat() ? "float32" : "int64") + Arrays.toString(this.shape);
	}

}
