package dev.visionserve.metrics;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Runs something when a request's asynchronous response (a generation) has completed,
 * however it ended: filters that count or time requests must not stop at the return of
 * the servlet, which for such a request comes long before the answer.
 */
public final class ResponseCompletion {

	private ResponseCompletion() {
	}

	/**
	 * @param request a request whose asynchronous processing has started
	 * @param action run once, after the response is complete (also after an error or a
	 * timeout, which end in completion)
	 */
	public static void whenComplete(HttpServletRequest request, Runnable action) {
		request.getAsyncContext().addListener(new AsyncListener() {

			@Override
			public void onComplete(AsyncEvent event) {
				action.run();
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

		});
	}

}
