package dev.visionserve.runtime;

import java.util.Arrays;

/**
 * The declared name, element type and shape of a model input or output, as the ONNX file
 * states them ({@code -1} for a dynamic dimension) or as {@code model.yaml} completes
 * them.
 *
 * @param name the ONNX name
 * @param type the element type
 * @param shape dimensions, the first being the batch axis
 */
public record TensorSpec(String name, ElementType type, long[] shape) {

	/**
	 * @return the shape of one row, without the batch axis
	 */
	public long[] rowShape() {
		return Arrays.copyOfRange(this.shape, 1, this.shape.length);
	}

	/**
	 * @return whether every dimension but the batch axis is fixed
	 */
	public boolean hasFixedRowShape() {
		return Arrays.stream(rowShape()).allMatch((d) -> d > 0);
	}

	public TensorSpec withRowShape(long[] rowShape) {
		long[] full = new long[rowShape.length + 1];
		full[0] = this.shape[0];
		System.arraycopy(rowShape, 0, full, 1, rowShape.length);
		return new TensorSpec(this.name, this.type, full);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof TensorSpec that && this.name.equals(that.name) && this.type == that.type
				&& Arrays.equals(this.shape, that.shape);
	}

	@Override
	public int hashCode() {
		return 31 * this.name.hashCode() + Arrays.hashCode(this.shape);
	}

	@Override
	public String toString() {
		return this.name + ":" + this.type.name().toLowerCase(java.util.Locale.ROOT) + Arrays.toString(this.shape);
	}

	/** The element types the service can feed and read. */
	public enum ElementType {

		FLOAT32, INT64, UNSUPPORTED

	}

}
