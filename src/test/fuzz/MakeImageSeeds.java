import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;

/** Writes the small images that seed ImageDecodingFuzzTests: one per format and pixel layout ImageIO handles. */
public class MakeImageSeeds {

	public static void main(String[] args) throws Exception {
		File dir = new File(args[0]);
		dir.mkdirs();
		write(dir, "gray8", "png", image(8, 8, BufferedImage.TYPE_BYTE_GRAY, false));
		write(dir, "gray16", "png", image(8, 8, BufferedImage.TYPE_USHORT_GRAY, false));
		write(dir, "rgb-landscape", "png", image(16, 4, BufferedImage.TYPE_INT_RGB, false));
		write(dir, "rgba-portrait", "png", image(4, 16, BufferedImage.TYPE_INT_ARGB, false));
		write(dir, "palette-light-border", "png", image(8, 8, BufferedImage.TYPE_BYTE_INDEXED, true));
		write(dir, "binary", "png", image(8, 8, BufferedImage.TYPE_BYTE_BINARY, false));
		write(dir, "gray", "jpg", image(8, 8, BufferedImage.TYPE_BYTE_GRAY, false));
		write(dir, "rgb-light-border", "jpg", image(16, 8, BufferedImage.TYPE_INT_RGB, true));
		write(dir, "rgb", "bmp", image(6, 5, BufferedImage.TYPE_3BYTE_BGR, false));
		write(dir, "palette", "gif", image(8, 8, BufferedImage.TYPE_BYTE_INDEXED, false));
		write(dir, "rgb", "tiff", image(6, 6, BufferedImage.TYPE_INT_RGB, false));
		write(dir, "gray", "tiff", image(6, 6, BufferedImage.TYPE_BYTE_GRAY, false));
		write(dir, "binary", "wbmp", image(8, 8, BufferedImage.TYPE_BYTE_BINARY, false));
	}

	private static BufferedImage image(int width, int height, int type, boolean lightBorder) {
		BufferedImage image = new BufferedImage(width, height, type);
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				boolean border = x == 0 || y == 0 || x == width - 1 || y == height - 1;
				int r = (lightBorder && border) ? 250 : x * 255 / width;
				int g = (lightBorder && border) ? 250 : y * 255 / height;
				int b = (lightBorder && border) ? 250 : (x + y) * 127 / (width + height);
				image.setRGB(x, y, 0x80000000 | (r << 16) | (g << 8) | b);
			}
		}
		return image;
	}

	private static void write(File dir, String name, String format, BufferedImage image) throws Exception {
		File file = new File(dir, name + "." + format);
		if (!ImageIO.write(image, format, file)) {
			throw new IllegalStateException("no writer for " + format + " and " + name);
		}
	}

}
