package dev.visionserve.image;

/**
 * An 8-bit image with interleaved channels (HWC), one channel for grayscale and three for
 * RGB. Immutable by convention.
 *
 * @param width pixels per row
 * @param height rows
 * @param channels 1 or 3
 * @param pixels {@code height × width × channels} bytes, each an unsigned value 0–255
 */
public record DecodedImage(int width, int height, int channels, byte[] pixels) {

	public DecodedImage {
		if (channels != 1 && channels != 3) {
			throw new IllegalArgumentException("channels must be 1 or 3");
		}
		if (pixels.length != width * height * channels) {
			throw new IllegalArgumentException("pixel buffer does not match " + width + "x" + height + "x" + channels);
		}
	}

	public int at(int x, int y, int channel) {
		return this.pixels[(y * this.width + x) * this.channels + channel] & 0xFF;
	}

	/**
	 * Converts to grayscale the way PIL's {@code convert("L")} does (ITU-R 601-2 luma,
	 * 16-bit fixed point).
	 */
	public DecodedImage toGrayscale() {
		if (this.channels == 1) {
			return this;
		}
		byte[] gray = new byte[this.width * this.height];
		for (int i = 0; i < gray.length; i++) {
			int r = this.pixels[i * 3] & 0xFF;
			int g = this.pixels[i * 3 + 1] & 0xFF;
			int b = this.pixels[i * 3 + 2] & 0xFF;
			gray[i] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
		}
		return new DecodedImage(this.width, this.height, 1, gray);
	}

	/**
	 * Converts to RGB the way PIL's {@code convert("RGB")} does for grayscale: the value
	 * in every channel.
	 */
	public DecodedImage toRgb() {
		if (this.channels == 3) {
			return this;
		}
		byte[] rgb = new byte[this.pixels.length * 3];
		for (int i = 0; i < this.pixels.length; i++) {
			rgb[i * 3] = this.pixels[i];
			rgb[i * 3 + 1] = this.pixels[i];
			rgb[i * 3 + 2] = this.pixels[i];
		}
		return new DecodedImage(this.width, this.height, 3, rgb);
	}

	/**
	 * @return the crop {@code [left, left + cropWidth) × [top, top + cropHeight)}; parts
	 * outside the image are zero, as torchvision pads before cropping
	 */
	public DecodedImage crop(int left, int top, int cropWidth, int cropHeight) {
		byte[] out = new byte[cropWidth * cropHeight * this.channels];
		for (int y = 0; y < cropHeight; y++) {
			int sy = top + y;
			if (sy < 0 || sy >= this.height) {
				continue;
			}
			for (int x = 0; x < cropWidth; x++) {
				int sx = left + x;
				if (sx < 0 || sx >= this.width) {
					continue;
				}
				System.arraycopy(this.pixels, (sy * this.width + sx) * this.channels, out,
						(y * cropWidth + x) * this.channels, this.channels);
			}
		}
		return new DecodedImage(cropWidth, cropHeight, this.channels, out);
	}

	public DecodedImage inverted() {
		byte[] out = new byte[this.pixels.length];
		for (int i = 0; i < out.length; i++) {
			out[i] = (byte) (255 - (this.pixels[i] & 0xFF));
		}
		return new DecodedImage(this.width, this.height, this.channels, out);
	}

	/**
	 * @return the mean value of the one-pixel border over all channels, 0–255
	 */
	public double borderMean() {
		long sum = 0;
		long count = 0;
		for (int y = 0; y < this.height; y++) {
			for (int x = 0; x < this.width; x++) {
				if (y == 0 || y == this.height - 1 || x == 0 || x == this.width - 1) {
					for (int c = 0; c < this.channels; c++) {
						sum += at(x, y, c);
						count++;
					}
				}
			}
		}
		return (count == 0) ? 0 : (double) sum / count;
	}

}
