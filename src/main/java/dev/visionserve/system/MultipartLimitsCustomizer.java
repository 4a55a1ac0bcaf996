package dev.visionserve.system;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Keeps Tomcat's multipart part limit ({@code server.tomcat.max-part-count}, default 50)
 * from refusing a request that {@code visionserve.limits.max-images-per-request} allows:
 * each image is one part and each form field ({@code model}, {@code topK}) another, so
 * the part limit is raised to images + {@value #FORM_FIELDS} when it is lower. Runs after
 * Boot's own Tomcat customizer so that its setting is the one raised.
 */
class MultipartLimitsCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

	/** The form fields /classify reads besides its images: model and topK. */
	static final int FORM_FIELDS = 2;

	private final int maxImagesPerRequest;

	MultipartLimitsCustomizer(int maxImagesPerRequest) {
		this.maxImagesPerRequest = maxImagesPerRequest;
	}

	@Override
	public void customize(TomcatServletWebServerFactory factory) {
		int needed = this.maxImagesPerRequest + FORM_FIELDS;
		factory.addConnectorCustomizers((connector) -> {
			if (connector.getMaxPartCount() >= 0 && connector.getMaxPartCount() < needed) {
				connector.setMaxPartCount(needed);
			}
		});
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
