package dev.visionserve.generate;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class PngEncoderTests {

	@Test
	void encodesInMemoryWithoutATemporaryFilePerImage(@TempDir Path cache) throws IOException {
		// ImageIO's file cache would need this folder for every stream it opens.
		ImageIO.setCacheDirectory(cache.toFile());
		Files.delete(cache);
		byte[] png;
		try {
			png = PngEncoder.encode(new float[] { -1f, 0f, 0.5f, 1f }, 1, 2, 2, -1.0, 1.0);
		}
		finally {
			ImageIO.setCacheDirectory(null);
		}
		var image = ImageIO.read(new ByteArrayInputStream(png));
		assertThat(image.getRaster().getSample(0, 0, 0)).isEqualTo(0);
		assertThat(image.getRaster().getSample(1, 0, 0)).isEqualTo(128);
		assertThat(image.getRaster().getSample(0, 1, 0)).isEqualTo(191);
		assertThat(image.getRaster().getSample(1, 1, 0)).isEqualTo(255);
	}

}
