package dev.visionserve.web;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class DrainingFilterTests {

	private final DrainingFilter filter = new DrainingFilter();

	@Test
	void passesRequestsAndCountsThemUntilAnswered() throws Exception {
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(new MockHttpServletRequest("POST", "/classify"), new MockHttpServletResponse(), chain);
		assertThat(chain.getRequest()).isNotNull();
		assertThat(this.filter.inFlight()).isZero();
	}

	@Test
	void refusesNewRequestsWhileDrainingWithAProblemAndRetryAfter() throws Exception {
		this.filter.startDraining();
		MockFilterChain chain = new MockFilterChain();
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.filter.doFilter(new MockHttpServletRequest("POST", "/generate"), response, chain);
		assertThat(chain.getRequest()).as("the request went on").isNull();
		assertThat(response.getStatus()).isEqualTo(503);
		assertThat(response.getHeader("Retry-After")).isEqualTo("1");
		assertThat(response.getContentType()).isEqualTo("application/problem+json");
		assertThat(response.getContentAsString()).contains("\"code\":\"SHUTTING_DOWN\"")
			.contains("\"instance\":\"/generate\"");
		assertThat(this.filter.inFlight()).isZero();
	}

	@Test
	void letsProbesAndScrapesThroughWhileDraining() throws Exception {
		this.filter.startDraining();
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(new MockHttpServletRequest("GET", "/actuator/health/readiness"),
				new MockHttpServletResponse(), chain);
		assertThat(chain.getRequest()).isNotNull();
	}

	@Test
	void waitsForAnAsynchronousAnswerBeforeCallingItIdle() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/generate");
		request.setAsyncSupported(true);
		CompletableFuture<AsyncContext> started = new CompletableFuture<>();
		FilterChain chain = (req, res) -> started.complete(req.startAsync());
		this.filter.doFilter(request, new MockHttpServletResponse(), chain);
		this.filter.startDraining();
		assertThat(this.filter.inFlight()).isOne();
		assertThat(this.filter.awaitIdle(Duration.ofMillis(50))).isFalse();
		CompletableFuture<Boolean> idle = CompletableFuture.supplyAsync(() -> {
			try {
				return this.filter.awaitIdle(Duration.ofSeconds(10));
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		started.get().complete();
		assertThat(idle.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.filter.inFlight()).isZero();
	}

}
