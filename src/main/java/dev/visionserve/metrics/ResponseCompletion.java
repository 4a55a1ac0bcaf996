package dev.visionserve.metrics;

import java.io.IOException;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Lets a filter act when a request's response is complete, however it ended: for a
 * generation the servlet returns long before the answer (asynchronously), so filters that
 * count or time requests must not stop at that return. Stateless.
 */
public final class ResponseCompletion {

	private ResponseCompletion() {
	}

	/**
	 * Runs the rest of the chain, then {@code action} once the response is complete: at
	 * once for a synchronous request, when its asynchronous processing completes (also
	 * after an error or a timeout, which end in completion) otherwise.
	 */
	public static void proceedThen(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
			Runnable action) throws ServletException, IOException {
		boolean async = false;
		try {
			chain.doFilter(request, response);
			async = request.isAsyncStarted();
		}
		finally {
			if (async) {
				request.getAsyncContext().addListener(new OnComplete(action));
			}
			else {
				action.run();
			}
		}
	}

	private record OnComplete(Runnable action) implements AsyncListener {

		@Override
		public void onComplete(AsyncEvent event) {
			this.action.run();
		}

		@Override
		public void onTimeout(AsyncEvent event) {
		}

		@Override
		public void onError(AsyncEvent event) {
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
		}

	}

}
