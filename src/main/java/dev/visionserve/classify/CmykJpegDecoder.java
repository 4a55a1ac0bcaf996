package dev.visionserve.classify;

import java.awt.image.Raster;
import java.io.IOException;

import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;

import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Reads four-channel (CMYK or YCCK) JPEGs, which ImageIO's JPEG reader refuses to turn
 * into an image ("Unsupported Image Type") although print workflows and stock photos
 * produce them. The raw samples are converted the way Pillow's {@code convert("RGB")}
 * does ({@code R = (255 − C)(255 − K) / 255}), honouring Adobe's APP14 marker: Adobe
 * files store CMYK inverted, and YCCK holds inverted CMY as YCbCr. Stateless.
 */
final class CmykJpegDecoder {

	private static final String JPEG_METADATA = "javax_imageio_jpeg_image_1.0";

	private static final int ADOBE_YCCK = 2;

	private CmykJpegDecoder() {
	}

	/**
	 * @return the image as RGB, or {@code null} when it has not four channels
	 */
	static DecodedImage read(ImageReader reader) throws IOException {
		Raster raster = reader.readRaster(0, null);
		if (raster.getNumBands() != 4) {
			return null;
		}
		int adobeTransform = adobeTransform(reader.getImageMetadata(0));
		int width = raster.getWidth();
		int height = raster.getHeight();
		byte[] rgb = new byte[width * height * 3];
		int[] sample = new int[4];
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				raster.getPixel(raster.getMinX() + x, raster.getMinY() + y, sample);
				int[] cmyk = (adobeTransform == ADOBE_YCCK) ? fromYcck(sample) : sample;
				// Adobe writes 255 − value; Pillow reads those files inverted back.
				boolean inverted = adobeTransform >= 0;
				int k = inverted ? cmyk[3] : 255 - cmyk[3];
				for (int c = 0; c < 3; c++) {
					int notInk = inverted ? cmyk[c] : 255 - cmyk[c];
					rgb[(y * width + x) * 3 + c] = (byte) clip(Math.round(notInk * k / 255.0f));
				}
			}
		}
		return new DecodedImage(width, height, 3, rgb);
	}

	/** libjpeg's YCCK → CMYK: CMY = 255 − RGB(YCbCr), K as is. */
	private static int[] fromYcck(int[] ycck) {
		double y = ycck[0];
		double cb = ycck[1] - 128.0;
		double cr = ycck[2] - 128.0;
		return new int[] { 255 - clip((int) Math.round(y + 1.402 * cr)),
				255 - clip((int) Math.round(y - 0.344136 * cb - 0.714136 * cr)),
				255 - clip((int) Math.round(y + 1.772 * cb)), ycck[3] };
	}

	/**
	 * @return the Adobe APP14 transform (0 CMYK, 2 YCCK), or −1 without the marker
	 */
	private static int adobeTransform(IIOMetadata metadata) {
		if (metadata == null || !JPEG_METADATA.equals(metadata.getNativeMetadataFormatName())) {
			return -1;
		}
		Node adobe = find(metadata.getAsTree(JPEG_METADATA), "app14Adobe");
		if (adobe == null) {
			return -1;
		}
		NamedNodeMap attributes = adobe.getAttributes();
		Node transform = (attributes != null) ? attributes.getNamedItem("transform") : null;
		try {
			return (transform != null) ? Integer.parseInt(transform.getNodeValue()) : 0;
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	private static Node find(Node node, String name) {
		if (name.equals(node.getNodeName())) {
			return node;
		}
		for (Node child = node.getFirstChild(); child != null; child = child.getNextSibling()) {
			Node found = find(child, name);
			if (found != null) {
				return found;
			}
		}
		return null;
	}

	private static int clip(int value) {
		return Math.max(0, Math.min(255, value));
	}

}
