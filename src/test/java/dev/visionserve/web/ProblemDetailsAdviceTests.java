package dev.visionserve.web;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.visionserve.batching.BatcherClosedException;
import dev.visionserve.batching.DeadlineExceededException;
import dev.visionserve.batching.QueueFullException;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The mappings of the failures that are hard to provoke on a real server on demand: a
 * full queue, a deadline, a shutdown, and an unexpected exception.
 */
class ProblemDetailsAdviceTests {

	private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new FailingController())
		.setControllerAdvice(new ProblemDetailsAdvice())
		.build();

	@Test
	void mapsAFullQueueTo429WithRetryAfter() throws Exception {
		this.mvc.perform(get("/fail/queue-full"))
			.andExpect(status().isTooManyRequests())
			.andExpect(header().string("Retry-After", "3"))
			.andExpect(content().contentType("application/problem+json"))
			.andExpect(jsonPath("$.code").value("QUEUE_FULL"))
			.andExpect(jsonPath("$.type").value("urn:visionserve:problem:queue-full"))
			.andExpect(jsonPath("$.instance").value("/fail/queue-full"));
	}

	@Test
	void mapsADeadlineTo503() throws Exception {
		this.mvc.perform(get("/fail/deadline"))
			.andExpect(status().isServiceUnavailable())
			.andExpect(jsonPath("$.code").value("DEADLINE_EXCEEDED"))
			.andExpect(jsonPath("$.detail").value(containsString("deadline")));
	}

	@Test
	void mapsAShutdownTo503() throws Exception {
		this.mvc.perform(get("/fail/closed"))
			.andExpect(status().isServiceUnavailable())
			.andExpect(jsonPath("$.code").value("SHUTTING_DOWN"));
	}

	@Test
	void hidesAnUnexpectedFailureBehindAReference() throws Exception {
		this.mvc.perform(get("/fail/bug"))
			.andExpect(status().isInternalServerError())
			.andExpect(jsonPath("$.code").value("INTERNAL"))
			.andExpect(jsonPath("$.detail").value(containsString("quote reference")))
			.andExpect(content().string(not(containsString("secret internals"))))
			.andExpect(content().string(not(containsString("NullPointerException"))));
	}

	@RestController
	static class FailingController {

		@GetMapping("/fail/{what}")
		String fail(@PathVariable String what) {
			throw switch (what) {
				case "queue-full" -> new QueueFullException("model-x", 8, Duration.ofSeconds(3));
				case "deadline" -> new DeadlineExceededException("model-x");
				case "closed" -> new BatcherClosedException("model-x");
				default -> new NullPointerException("secret internals");
			};
		}

	}

}
