package dev.visionserve.web;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import javax.imageio.ImageIO;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.mockito.stubbing.Answer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.ServerHttpMessageConvertersCustomizer;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.AbstractMockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.accept.ContentNegotiationManager;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import dev.visionserve.classify.ClassificationService;
import dev.visionserve.classify.ClassifyLimits;
import dev.visionserve.classify.ClassifyResponse;
import dev.visionserve.generate.GenerationService;
import dev.visionserve.image.ImageDecoder;
import dev.visionserve.support.FuzzDeadline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * Fuzzes the HTTP mapping of {@code /classify} (multipart and raw body) and
 * {@code /generate} (JSON): the real controllers, {@link ProblemDetailsAdvice}, Bean
 * Validation, the service's content negotiation and header filter, and the message
 * converters Spring Boot configures (with its Jackson mapper), in a standalone MockMvc,
 * with the services mocked, since the mapping is the unit here. The invariant: every
 * input gets a 2xx, or a 4xx {@code application/problem+json} with a {@code code} and no
 * Java internals; never a 5xx.
 * <p>
 * An input is a tiny request script, so seeds stay readable: line 1 the query string
 * ({@code topK=3&model=x}), line 2 the {@code Content-Type}, line 3 the {@code Accept}
 * header (empty: none), then the body. For the multipart target the body holds parts
 * separated by a line {@code --}, each starting with a line that is its part name. The
 * multipart bytes themselves are parsed by the servlet container (Tomcat), not by Spring,
 * so they are not fuzzed here; the parts Spring binds are.
 */
class ApiMappingFuzzTests {

	private static final byte[] PNG = { (byte) 0x89, 'P', 'N', 'G' };

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final ContentNegotiationManager NEGOTIATION = new ContentNegotiationManager(
			new AcceptHeaderNegotiation());

	/** The editing endpoints; a script names one in its first line, before a '?'. */
	private static final List<String> EDIT_PATHS = List.of("/inpaint", "/super-resolution", "/denoise", "/img2img");

	/** What the service checks first in an upload, as EditImages does. */
	private static final ImageDecoder DECODER = new ImageDecoder(16_777_216);

	private static final MockMvc mvc = mvc();

	private static MockMvc mvc() {
		GenerationService generation = generationService();
		Object answers = controller("dev.visionserve.generate.JobAnswers", new SimpleMeterRegistry());
		Validator validator = Validation.buildDefaultValidatorFactory().getValidator();
		return MockMvcBuilders
			.standaloneSetup(controller("dev.visionserve.classify.ClassifyController", classificationService()),
					controller("dev.visionserve.generate.GenerateController", generation, answers),
					controller("dev.visionserve.generate.EditController", generation, answers, validator))
			.setControllerAdvice(new ProblemDetailsAdvice())
			.setMessageConverters(bootConverters())
			.setContentNegotiationManager(NEGOTIATION)
			.setCustomHandlerMapping(ApiMappingFuzzTests::handlerMapping)
			.addFilters(new RequestHeaderFilter())
			.build();
	}

	@FuzzTest
	void classifyMultipartGetsA2xxOrA4xxProblem(byte[] input) throws Exception {
		Script script = Script.parse(input);
		perform(script, multipartRequest(script));
	}

	@FuzzTest
	void classifyRawBodyGetsA2xxOrA4xxProblem(byte[] input) throws Exception {
		Script script = Script.parse(input);
		perform(script, rawRequest(script));
	}

	@FuzzTest
	void generateJsonGetsA2xxOrA4xxProblem(byte[] input) throws Exception {
		Script script = Script.parse(input);
		perform(script, jsonRequest(script));
	}

	@FuzzTest
	void editMultipartGetsA2xxOrA4xxProblem(byte[] input) throws Exception {
		Script script = Script.parse(input);
		perform(script, editMultipartRequest(script));
	}

	@FuzzTest
	void editJsonGetsA2xxOrA4xxProblem(byte[] input) throws Exception {
		Script script = Script.parse(input);
		perform(script, withHeaders(script, post(script.editPath()).content(script.body())));
	}

	private static AbstractMockHttpServletRequestBuilder<?> multipartRequest(Script script) {
		return multipartRequest("/classify", script);
	}

	private static AbstractMockHttpServletRequestBuilder<?> editMultipartRequest(Script script) {
		return multipartRequest(script.editPath(), script);
	}

	private static AbstractMockHttpServletRequestBuilder<?> multipartRequest(String path, Script script) {
		MockMultipartHttpServletRequestBuilder request = multipart(path);
		for (Part part : script.parts()) {
			request.file(new MockMultipartFile(part.name(), "upload", null, part.content()));
		}
		return withHeaders(script, request);
	}

	private static AbstractMockHttpServletRequestBuilder<?> rawRequest(Script script) {
		return withHeaders(script, post("/classify").content(script.body()));
	}

	private static AbstractMockHttpServletRequestBuilder<?> jsonRequest(Script script) {
		return withHeaders(script, post("/generate").content(script.body()));
	}

	private static AbstractMockHttpServletRequestBuilder<?> withHeaders(Script script,
			AbstractMockHttpServletRequestBuilder<?> request) {
		if (!script.contentType().isEmpty() && mockCanCarry(script.contentType())) {
			request.contentType(script.contentType());
		}
		if (!script.accept().isEmpty()) {
			request.header(HttpHeaders.ACCEPT, script.accept());
		}
		script.params().forEach((param) -> request.param(param[0], param[1]));
		return request;
	}

	/**
	 * Proves the harness reaches the controllers, so a green fuzz run means something.
	 */
	@Test
	void scriptsReachTheControllersAndTheAdvice() throws Exception {
		byte[] png = "\n\n\nimage\n\u0089PNG".getBytes(StandardCharsets.ISO_8859_1);
		assertThat(status(multipartRequest(Script.parse(png)))).isEqualTo(200);
		byte[] json = "\napplication/json\n\n{\"label\":\"Sneaker\",\"seed\":7}".getBytes(StandardCharsets.UTF_8);
		assertThat(status(jsonRequest(Script.parse(json)))).isEqualTo(200);
		byte[] invalid = "\napplication/json\n\n{\"steps\":0}".getBytes(StandardCharsets.UTF_8);
		assertThat(status(jsonRequest(Script.parse(invalid)))).isEqualTo(400);
		byte[] text = "\ntext/plain\n\nhello".getBytes(StandardCharsets.UTF_8);
		assertThat(status(rawRequest(Script.parse(text)))).isEqualTo(415);
		byte[] image = png28();
		byte[] upload = concat("img2img?strength=0.5\n\n\nimage\n".getBytes(StandardCharsets.US_ASCII), image);
		assertThat(status(editMultipartRequest(Script.parse(upload)))).isEqualTo(200);
		byte[] tooStrong = concat("img2img?strength=2\n\n\nimage\n".getBytes(StandardCharsets.US_ASCII), image);
		assertThat(status(editMultipartRequest(Script.parse(tooStrong)))).isEqualTo(400);
		byte[] notAnImage = "denoise?\n\n\nimage\nhello".getBytes(StandardCharsets.US_ASCII);
		assertThat(status(editMultipartRequest(Script.parse(notAnImage)))).isEqualTo(400);
		byte[] editJson = ("denoise?\napplication/json\n\n{\"image\":\"" + Base64.getEncoder().encodeToString(image)
				+ "\"}")
			.getBytes(StandardCharsets.US_ASCII);
		Script editScript = Script.parse(editJson);
		assertThat(editScript.editPath()).isEqualTo("/denoise");
		assertThat(status(withHeaders(editScript, post(editScript.editPath()).content(editScript.body()))))
			.isEqualTo(200);
	}

	private static byte[] png28() throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", out);
		return out.toByteArray();
	}

	private static byte[] concat(byte[] head, byte[] tail) {
		byte[] joined = Arrays.copyOf(head, head.length + tail.length);
		System.arraycopy(tail, 0, joined, head.length, tail.length);
		return joined;
	}

	/**
	 * @return the status of the final answer (after an asynchronous one is dispatched)
	 */
	private static int status(AbstractMockHttpServletRequestBuilder<?> request) throws Exception {
		return FuzzDeadline.within(() -> answer(request)).getStatus();
	}

	private static MockHttpServletResponse answer(AbstractMockHttpServletRequestBuilder<?> request) throws Exception {
		MvcResult result = mvc.perform(request).andReturn();
		if (result.getRequest().isAsyncStarted()) {
			result.getAsyncResult(FuzzDeadline.LIMIT.toMillis());
			result = mvc.perform(asyncDispatch(result)).andReturn();
		}
		return result.getResponse();
	}

	private static void perform(Script script, AbstractMockHttpServletRequestBuilder<?> request) throws Exception {
		MockHttpServletResponse response = FuzzDeadline.within(() -> answer(request));
		int status = response.getStatus();
		String body = response.getContentAsString(StandardCharsets.UTF_8);
		assertThat(status).as("status for %s, body %s", script, body).isBetween(200, 499);
		if (status >= 400) {
			assertThat(response.getContentType()).as("error content type, body %s", body)
				.isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			JsonNode problem = JSON.readTree(body);
			assertThat(problem.path("status").asInt()).as("problem status, body %s", body).isEqualTo(status);
			assertThat(problem.path("code").asString()).as("problem code, body %s", body).isNotBlank();
			for (String internal : List.of("Exception", "dev.visionserve", "\tat ")) {
				// Echoing the client's own words (a bad topK value) reveals nothing.
				if (!script.text().contains(internal)) {
					assertThat(body).as("body leaks internals").doesNotContain(internal);
				}
			}
		}
	}

	/**
	 * MockHttpServletRequest parses a Content-Type when it is set and fails on those
	 * Spring's parser throws {@link StringIndexOutOfBoundsException} on (e.g.
	 * {@code "a/b}), so such a request cannot be sent here at all; they are sent without
	 * one. The service's answer to them is checked by RequestHeaderFilterTests.
	 */
	private static boolean mockCanCarry(String contentType) {
		try {
			MediaType.parseMediaType(contentType);
			return true;
		}
		catch (InvalidMediaTypeException ex) {
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * In the service the handler mapping negotiates with the same manager as the rest of
	 * Spring MVC; a standalone MockMvc would give it a default one.
	 */
	private static RequestMappingHandlerMapping handlerMapping() {
		RequestMappingHandlerMapping mapping = new RequestMappingHandlerMapping();
		mapping.setContentNegotiationManager(NEGOTIATION);
		return mapping;
	}

	/**
	 * The controllers are package-private, as Spring needs them: built through the
	 * constructor that takes these arguments.
	 */
	private static Object controller(String className, Object... arguments) {
		for (Constructor<?> constructor : type(className).getDeclaredConstructors()) {
			Class<?>[] parameters = constructor.getParameterTypes();
			if (parameters.length == arguments.length
					&& IntStream.range(0, parameters.length).allMatch((i) -> parameters[i].isInstance(arguments[i]))) {
				return BeanUtils.instantiateClass(constructor, arguments);
			}
		}
		throw new IllegalStateException("No constructor of " + className + " takes " + Arrays.toString(arguments));
	}

	private static Class<?> type(String className) {
		try {
			return Class.forName(className);
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Stub-only mocks: they record no invocations, which would otherwise grow over
	 * millions of fuzz executions.
	 */
	private static <T> T stub(Class<T> type, Answer<?> answer) {
		return Mockito.mock(type, Mockito.withSettings().stubOnly().defaultAnswer(answer));
	}

	private static ClassificationService classificationService() {
		ClassifyResponse response = new ClassifyResponse("fashion-resnet", List
			.of(new ClassifyResponse.ImageResult(List.of(new ClassifyResponse.Prediction("Sneaker", 7, 0.97)))));
		ClassifyLimits limits = new ClassifyLimits(64, 16_777_216, 20_971_520);
		return stub(ClassificationService.class, (invocation) -> switch (invocation.getMethod().getName()) {
			case "resolveName" -> resolveName(invocation.getArgument(0), "fashion-resnet");
			case "isKnown" -> "fashion-resnet".equals(invocation.getArgument(0));
			case "limits" -> limits;
			case "classify" -> response;
			default -> Mockito.RETURNS_DEFAULTS.answer(invocation);
		});
	}

	/**
	 * The job a successful start returns: done at once with one tiny "PNG" (the
	 * controller only base64-encodes it). An edit's image and mask are decoded first, as
	 * the service does before anything else, so fuzzed bytes meet the decoder's refusals
	 * through the advice.
	 */
	private static GenerationService generationService() {
		// An edit's answer names its plan's mode; a deep stub cannot stand in for the
		// sealed plan type.
		Object plan = BeanUtils.instantiateClass(
				type("dev.visionserve.generate.EditPlan$ImageToImage").getDeclaredConstructors()[0], new float[0], 0.6);
		Object spec = stub(type("dev.visionserve.generate.GenerationSpec"),
				(invocation) -> "plan".equals(invocation.getMethod().getName()) ? plan
						: Mockito.RETURNS_DEEP_STUBS.answer(invocation));
		Object job = stub(type("dev.visionserve.generate.GenerationJob"),
				(invocation) -> switch (invocation.getMethod().getName()) {
					case "result" -> CompletableFuture.completedFuture(List.of(PNG));
					case "spec" -> spec;
					case "totalSteps" -> 50;
					default -> Mockito.RETURNS_DEEP_STUBS.answer(invocation);
				});
		return stub(GenerationService.class, (invocation) -> switch (invocation.getMethod().getName()) {
			case "resolveName" -> resolveName(invocation.getArgument(0), "fashion-ddpm");
			case "isKnown" -> "fashion-ddpm".equals(invocation.getArgument(0));
			case "start" -> job;
			case "startEdit" -> {
				DECODER.decode(invocation.getArgument(1), "image");
				if (invocation.getArgument(2) != null) {
					DECODER.decode(invocation.getArgument(2), "mask");
				}
				yield job;
			}
			default -> Mockito.RETURNS_DEFAULTS.answer(invocation);
		});
	}

	private static String resolveName(String requested, String fallback) {
		return (requested == null || requested.isBlank()) ? fallback : requested;
	}

	/**
	 * The server's message converters as Spring Boot builds them: its Jackson mapper for
	 * JSON, then Spring's defaults.
	 */
	private static HttpMessageConverter<?>[] bootConverters() {
		List<HttpMessageConverter<?>> converters = new ArrayList<>();
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(JacksonAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class))
			.run((context) -> {
				HttpMessageConverters.ServerBuilder builder = HttpMessageConverters.forServer().registerDefaults();
				context.getBeanProvider(ServerHttpMessageConvertersCustomizer.class)
					.orderedStream()
					.forEach((customizer) -> customizer.customize(builder));
				builder.build().forEach(converters::add);
			});
		return converters.toArray(HttpMessageConverter<?>[]::new);
	}

	private record Part(String name, byte[] content) {
	}

	/**
	 * @param path what line 1 holds before a {@code ?}, else {@code ""}: the editing
	 * endpoint, for the editing targets
	 */
	private record Script(String path, List<String[]> params, String contentType, String accept, byte[] body,
			String text) {

		private static final byte[] PART_SEPARATOR = "\n--\n".getBytes(StandardCharsets.US_ASCII);

		static Script parse(byte[] input) {
			int[] offset = { 0 };
			String query = new String(line(input, offset), StandardCharsets.UTF_8);
			int question = query.indexOf('?');
			String path = (question < 0) ? "" : query.substring(0, question);
			query = query.substring(question + 1);
			String contentType = headerValue(line(input, offset));
			String accept = headerValue(line(input, offset));
			List<String[]> params = new ArrayList<>();
			for (String pair : query.split("&")) {
				int equals = pair.indexOf('=');
				String name = (equals < 0) ? pair : pair.substring(0, equals);
				if (!name.isEmpty()) {
					params.add(new String[] { name, (equals < 0) ? "" : pair.substring(equals + 1) });
				}
			}
			return new Script(path, params, contentType, accept, Arrays.copyOfRange(input, offset[0], input.length),
					new String(input, StandardCharsets.UTF_8) + new String(input, StandardCharsets.ISO_8859_1) + "\n"
							+ contentType + "\n" + accept);
		}

		private static byte[] line(byte[] input, int[] offset) {
			int start = offset[0];
			int end = start;
			while (end < input.length && input[end] != '\n') {
				end++;
			}
			offset[0] = Math.min(end + 1, input.length);
			return Arrays.copyOfRange(input, start, end);
		}

		/**
		 * What a servlet container passes on: visible ASCII and spaces (it rejects or
		 * splits on control characters).
		 */
		private static String headerValue(byte[] raw) {
			StringBuilder value = new StringBuilder();
			for (byte b : raw) {
				if (b >= 0x20 && b < 0x7F) {
					value.append((char) b);
				}
			}
			return value.toString().trim();
		}

		/**
		 * @return the editing endpoint line 1 names ({@code denoise?steps=2}), or, for
		 * anything else, one chosen by its hash, so every input reaches one of them
		 */
		String editPath() {
			String named = "/" + this.path.replaceFirst("^/", "");
			return EDIT_PATHS.contains(named) ? named : EDIT_PATHS.get(Math.floorMod(this.path.hashCode(), 4));
		}

		List<Part> parts() {
			List<Part> parts = new ArrayList<>();
			int start = 0;
			while (start <= this.body.length) {
				int end = indexOf(this.body, PART_SEPARATOR, start);
				byte[] chunk = Arrays.copyOfRange(this.body, start, (end < 0) ? this.body.length : end);
				int[] offset = { 0 };
				String name = new String(line(chunk, offset), StandardCharsets.UTF_8);
				if (!name.isEmpty()) {
					parts.add(new Part(name, Arrays.copyOfRange(chunk, offset[0], chunk.length)));
				}
				if (end < 0) {
					break;
				}
				start = end + PART_SEPARATOR.length;
			}
			return parts;
		}

		private static int indexOf(byte[] data, byte[] pattern, int from) {
			outer: for (int i = from; i <= data.length - pattern.length; i++) {
				for (int j = 0; j < pattern.length; j++) {
					if (data[i + j] != pattern[j]) {
						continue outer;
					}
				}
				return i;
			}
			return -1;
		}

		@Override
		public String toString() {
			return "path '" + this.path + "', params " + this.params.stream().map((p) -> p[0] + "=" + p[1]).toList()
					+ ", Content-Type '" + this.contentType + "', Accept '" + this.accept + "', " + this.body.length
					+ " body bytes";
		}

	}

}
