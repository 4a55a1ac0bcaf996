package dev.visionserve;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * VisionServe: image classification and diffusion inference on ONNX Runtime.
 */
@SpringBootApplication
public class VisionServeApplication {

	public static void main(String[] args) {
		SpringApplication.run(VisionServeApplication.class, args);
	}

}
