package dev.visionserve;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import dev.visionserve.system.OrderlyTermination;

/**
 * VisionServe: image classification and diffusion inference on ONNX Runtime.
 */
@SpringBootApplication
public class VisionServeApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(VisionServeApplication.class);
		OrderlyTermination.install(application);
		application.run(args);
	}

}
