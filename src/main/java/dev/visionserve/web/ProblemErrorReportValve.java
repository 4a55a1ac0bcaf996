package dev.visionserve.web;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.http.HttpStatus;

/**
 * Answers what Tomcat refuses before any application code runs (an encoded slash or
 * backslash in the path, a malformed request line) with the same problem+json as
 * everything else, instead of Tomcat's HTML error page. Errors that reach the application
 * already have a body and are left alone. Stateless, thread-safe.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		ErrorCode code = ErrorCode.forStatus(status);
		HttpStatus known = HttpStatus.resolve(status);
		String detail = (code == ErrorCode.INTERNAL) ? "An internal error occurred"
				: "The server refused the request: " + ((known != null) ? known.getReasonPhrase() : status)
						+ " (for example an encoded '/' or '\\' in the path, or a malformed request line)";
		try {
			response.setContentType("application/problem+json");
			response.setCharacterEncoding("utf-8");
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write(new String(ProblemBodies.json(code, status, detail, null), StandardCharsets.UTF_8));
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// The client is gone or the response is closed: nothing more to tell.
		}
	}

}
