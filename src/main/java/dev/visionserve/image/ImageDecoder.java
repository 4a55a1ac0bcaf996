package dev.visionserve.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes uploaded bytes (PNG, JPEG, BMP, GIF, TIFF, WBMP: whatever ImageIO reads) into
 * 8-bit pixels. The header is read first and an image over the pixel limit is refused
 * before its pixels are decoded, so a decompression bomb costs nothing. A reader warning
 * (a truncated JPEG decodes "successfully" with one) makes the image invalid rather than
 * half grey. Grayscale images are read from the raster, not through {@code getRGB}, which
 * would apply a gamma conversion and shift every value. Stateless and thread-safe.
 */
public final class ImageDecoder {

	/** A Java class or package name: "EOFException", "java.io", "com.sun.imageio". */
	private static final Pattern IMPLEMENTATION_NAME = Pattern
		.compile("[A-Za-z]*(Exception|Error)\\b|\\b(java|javax|sun|com|jdk)\\.[a-z]");

	/** Offsets in a BMP file: the info header's size, compression and image size. */
	private static final int BMP_HEADER_SIZE = 14;

	private static final int BMP_COMPRESSION = 30;

	private static final int BMP_IMAGE_SIZE = 34;

	private static final int BI_JPEG = 4;

	private static final int BI_PNG = 5;

	private static final int MAX_CHANNELS = 4;

	private final long maxPixels;

	public ImageDecoder(long maxPixels) {
		this.maxPixels = maxPixels;
	}

	/**
	 * @param bytes the encoded image
	 * @param which how the image is named in error messages, e.g. "image 2"
	 * @return the pixels: one channel for grayscale sources, three otherwise (alpha
	 * dropped, as PIL's {@code convert("RGB")} does)
	 */
	public DecodedImage decode(byte[] bytes, String which) {
		if (bytes.length == 0) {
			throw new InvalidImageException(which + " is empty");
		}
		// A memory-cached stream: ImageIO's own createImageInputStream caches every
		// upload
		// in a temporary file (its default useCache), a file system round trip per image.
		try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
			Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
			if (!readers.hasNext()) {
				throw new InvalidImageException(which + " is not an image in a supported format (PNG, JPEG, BMP, GIF)");
			}
			ImageReader reader = readers.next();
			try {
				if ("bmp".equalsIgnoreCase(reader.getFormatName())) {
					checkEmbeddedBmp(bytes, which);
				}
				reader.setInput(input, true, true);
				return read(reader, which);
			}
			finally {
				reader.dispose();
			}
		}
		catch (InvalidImageException | PayloadTooLargeException ex) {
			throw ex;
		}
		catch (IIOException ex) {
			throw new InvalidImageException(which + " could not be decoded: " + describe(ex));
		}
		catch (IOException | RuntimeException ex) {
			// EOFException, ArrayIndexOutOfBoundsException and friends from inside a
			// reader: their text means nothing to a client and would leak implementation
			// names.
			throw new InvalidImageException(which + " could not be decoded: the data is truncated or corrupt");
		}
	}

	private DecodedImage read(ImageReader reader, String which) throws IOException {
		long width = reader.getWidth(0);
		long height = reader.getHeight(0);
		if (width <= 0 || height <= 0) {
			throw new InvalidImageException(which + " declares no pixels");
		}
		if (width * height > this.maxPixels) {
			throw new PayloadTooLargeException(which + " declares " + width + "x" + height + " = " + width * height
					+ " pixels, more than the limit of " + this.maxPixels);
		}
		int channels = declaredChannels(reader);
		if (channels > MAX_CHANNELS) {
			throw new InvalidImageException(which + " declares " + channels
					+ " channels per pixel; supported are 1 to 4 (gray, gray with alpha, RGB, RGBA, CMYK)");
		}
		List<String> warnings = new ArrayList<>();
		reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
		BufferedImage image = reader.read(0);
		if (!warnings.isEmpty()) {
			throw new InvalidImageException(which + " is damaged: " + warnings.get(0));
		}
		return toPixels(image);
	}

	private static DecodedImage toPixels(BufferedImage image) {
		int width = image.getWidth();
		int height = image.getHeight();
		ColorModel colorModel = image.getColorModel();
		if (colorModel.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(colorModel instanceof IndexColorModel)) {
			Raster raster = image.getRaster();
			int bits = colorModel.getComponentSize(0);
			int max = (1 << bits) - 1;
			byte[] gray = new byte[width * height];
			for (int y = 0; y < height; y++) {
				for (int x = 0; x < width; x++) {
					int value = raster.getSample(x, y, 0);
					gray[y * width + x] = (byte) ((bits == 8) ? value : Math.round(value * 255.0 / max));
				}
			}
			return new DecodedImage(width, height, 1, gray);
		}
		int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
		byte[] rgb = new byte[width * height * 3];
		for (int i = 0; i < argb.length; i++) {
			rgb[i * 3] = (byte) (argb[i] >> 16);
			rgb[i * 3 + 1] = (byte) (argb[i] >> 8);
			rgb[i * 3 + 2] = (byte) argb[i];
		}
		return new DecodedImage(width, height, 3, rgb);
	}

	/**
	 * The channels the header declares, or 0 when the reader cannot say: it sizes its
	 * work by them, and a 143-byte TIFF declaring 256 channels exhausted a 6 GB heap
	 * (found by ImageDecodingFuzzTests).
	 */
	private static int declaredChannels(ImageReader reader) throws IOException {
		try {
			ImageTypeSpecifier type = reader.getRawImageType(0);
			return (type != null) ? type.getSampleModel().getNumBands() : 0;
		}
		catch (IllegalArgumentException ex) {
			// ImageIO's BMP reader cannot describe some layouts it decodes well.
			return 0;
		}
	}

	/**
	 * A BMP may wrap a JPEG or PNG; ImageIO then allocates the header's image size in one
	 * array before reading a byte of it (84 bytes could ask for 2 GB, found by
	 * ImageDecodingFuzzTests). A wrapped image cannot be larger than the upload.
	 */
	private static void checkEmbeddedBmp(byte[] bytes, String which) {
		if (bytes.length < BMP_IMAGE_SIZE + 4 || littleEndianInt(bytes, BMP_HEADER_SIZE) < 40) {
			return;
		}
		int compression = littleEndianInt(bytes, BMP_COMPRESSION);
		long imageSize = littleEndianInt(bytes, BMP_IMAGE_SIZE) & 0xFFFFFFFFL;
		if ((compression == BI_JPEG || compression == BI_PNG) && imageSize > bytes.length) {
			throw new InvalidImageException(which + " is damaged: its BMP header declares " + imageSize
					+ " bytes of embedded image data in a file of " + bytes.length + " bytes");
		}
	}

	private static int littleEndianInt(byte[] bytes, int offset) {
		return (bytes[offset] & 0xFF) | (bytes[offset + 1] & 0xFF) << 8 | (bytes[offset + 2] & 0xFF) << 16
				| (bytes[offset + 3] & 0xFF) << 24;
	}

	/**
	 * ImageIO's own messages ("Error reading PNG image data") are for people; anything
	 * that names a class or package is not shown.
	 */
	private static String describe(IIOException ex) {
		String message = ex.getMessage();
		if (message == null || message.isBlank() || IMPLEMENTATION_NAME.matcher(message).find()) {
			return "the data is truncated or corrupt";
		}
		return message;
	}

}
