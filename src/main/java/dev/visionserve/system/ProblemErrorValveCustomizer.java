package dev.visionserve.system;

import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

import dev.visionserve.web.ProblemErrorReportValve;

/**
 * Replaces Tomcat's HTML error report (Boot installs one with the report hidden) with
 * {@link ProblemErrorReportValve}, so that requests Tomcat refuses by itself also get
 * problem+json. Runs after Boot's customizers so that Boot's valve is there to replace.
 */
class ProblemErrorValveCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

	@Override
	public void customize(TomcatServletWebServerFactory factory) {
		factory.addContextCustomizers((context) -> {
			if (context.getParent() instanceof StandardHost host) {
				for (Valve valve : host.getPipeline().getValves()) {
					if (valve instanceof ErrorReportValve) {
						host.getPipeline().removeValve(valve);
					}
				}
				ProblemErrorReportValve valve = new ProblemErrorReportValve();
				valve.setShowReport(false);
				valve.setShowServerInfo(false);
				host.getPipeline().addValve(valve);
				host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
			}
		});
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
