package dev.visionserve.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The Docker images, checked without a Docker engine. Every COPY source exists, in the
 * build context (and is not in {@code .dockerignore}) or in what the build stage's RUN
 * lines make of the jar; both images lay out the application the same way and run it as a
 * non-root user on port 8080; and the CPU image's exact ENTRYPOINT, run on its file
 * system assembled from those COPYs (read-only, with a writable /tmp apart) with its ENV,
 * serves the baked models and stops gracefully on SIGTERM.
 * <p>
 * Runs after {@code package} (Failsafe), which built {@code target/visionserve-*.jar}:
 * that is the build stage's Maven RUN line, done once for both files (the GPU one adds
 * {@code -Pgpu}, which changes a dependency, not the layout). Image paths are mapped
 * under a temporary root. What only an engine shows (the base images, apt-get, file
 * permissions for the image user, the CUDA libraries) is left to the images workflow.
 */
class DockerImageIntegrationTests {

	private static final Path CPU = Path.of("docker/Dockerfile");

	private static final Path GPU = Path.of("docker/Dockerfile.gpu");

	private static final String LAUNCHER = "org.springframework.boot.loader.launch.JarLauncher";

	private static final String MODEL_REPOSITORY = "VISIONSERVE_MODEL_REPOSITORY";

	private static final Duration READINESS_TIMEOUT = Duration.ofSeconds(180);

	/**
	 * Spring's shutdown phases get 30 s each (application.yaml); the JVM must be gone
	 * well before a kill.
	 */
	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path work;

	private static final Map<Path, Path> builds = new HashMap<>();

	private static final Map<Path, Path> images = new HashMap<>();

	@ParameterizedTest
	@ValueSource(strings = { "docker/Dockerfile", "docker/Dockerfile.gpu" })
	void copiesFromTheBuildContextOnlyWhatExistsAndIsNotIgnored(Path file) throws IOException {
		List<PathMatcher> ignored = dockerignore();
		for (Dockerfile.Stage stage : Dockerfile.parse(file).stages()) {
			for (Dockerfile.Copy copy : stage.copies()) {
				if (copy.from() != null) {
					continue;
				}
				for (String source : copy.sources()) {
					Path path = Path.of(source).normalize();
					assertThat(path).as("%s:%d COPY %s", file, copy.line(), source).exists();
					assertThat(path.isAbsolute() || path.startsWith("..")).as("%s leaves the build context", source)
						.isFalse();
					try (Stream<Path> files = Files.walk(path)) {
						for (Path each : files.toList()) {
							assertThat(isIgnored(each, ignored))
								.as("%s:%d copies %s, which .dockerignore leaves out", file, copy.line(), each)
								.isFalse();
						}
					}
				}
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "docker/Dockerfile", "docker/Dockerfile.gpu" })
	void copiesFromTheBuildStageEveryLayerThatItsRunLinesExtract(Path file) throws IOException {
		Dockerfile dockerfile = Dockerfile.parse(file);
		Path build = buildStage(file);
		String workdir = dockerfile.stage("build").workdir();
		Set<Path> copied = new TreeSet<>();
		for (Dockerfile.Copy copy : dockerfile.runtime().copies()) {
			if (copy.from() == null) {
				continue;
			}
			assertThat(copy.from()).as("%s:%d COPY --from", file, copy.line()).isEqualTo("build");
			for (String source : copy.sources()) {
				Path path = inStage(build, workdir, source);
				assertThat(path).as("%s:%d COPY --from=build %s", file, copy.line(), source).isDirectory();
				copied.add(path);
			}
		}
		Set<Path> layers = new TreeSet<>();
		for (String run : buildRunsAfterMaven(dockerfile)) {
			assertThat(run).as("a build stage RUN after Maven extracts the layers")
				.contains(" extract ", "--destination ");
			String destination = run.replaceAll(".*--destination\\s+(\\S+).*", "$1");
			try (Stream<Path> extracted = Files.list(inStage(build, workdir, destination))) {
				extracted.forEach(layers::add);
			}
		}
		assertThat(layers).as("the layers of the jar").isNotEmpty();
		assertThat(copied).as("the layers %s copies", file).isEqualTo(layers);
	}

	@ParameterizedTest
	@ValueSource(strings = { "docker/Dockerfile", "docker/Dockerfile.gpu" })
	void entrypointStartsTheLauncherFromTheLayersInTheWorkdir(Path file) throws IOException {
		Dockerfile dockerfile = Dockerfile.parse(file);
		Dockerfile.Stage runtime = dockerfile.runtime();
		List<String> entrypoint = runtime.entrypoint();
		assertThat(entrypoint.get(0)).isEqualTo("java");
		assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo(LAUNCHER);
		// No -jar and no -cp: the class path is java's default, the WORKDIR the layers
		// were copied into.
		assertThat(entrypoint).doesNotContain("-jar", "-cp", "-classpath", "--class-path");
		Path app = inImage(image(file), runtime.workdir());
		assertThat(app.resolve(LAUNCHER.replace('.', '/') + ".class")).isRegularFile();
		Manifest manifest;
		try (var in = Files.newInputStream(app.resolve("META-INF/MANIFEST.MF"))) {
			manifest = new Manifest(in);
		}
		String startClass = manifest.getMainAttributes().getValue("Start-Class");
		assertThat(startClass).isEqualTo("dev.visionserve.VisionServeApplication");
		assertThat(app.resolve("BOOT-INF/classes/" + startClass.replace('.', '/') + ".class")).isRegularFile();
		assertThat(app.resolve("BOOT-INF/classes/application.yaml")).isRegularFile();
		try (Stream<Path> libs = Files.list(app.resolve("BOOT-INF/lib"))) {
			assertThat(libs.map((lib) -> lib.getFileName().toString()))
				.anyMatch((name) -> name.startsWith("onnxruntime"));
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "docker/Dockerfile", "docker/Dockerfile.gpu" })
	void runsAsANamedNonRootUserOnPort8080WithContainerJvmFlags(Path file) {
		Dockerfile.Stage runtime = Dockerfile.parse(file).runtime();
		String user = runtime.last("USER").orElseThrow(() -> new AssertionError(file + " runs as root"));
		String uid = user.split(":")[0];
		assertThat(uid).as("USER of %s", file).isNotIn("root", "0").matches("[1-9][0-9]*");
		assertThat(runtime.all("RUN")).as("a user with uid %s", uid)
			.anyMatch((run) -> run.matches("(?s).*useradd .*--uid " + uid + " .*"));
		assertThat(runtime.all("EXPOSE")).contains("8080");
		assertThat(runtime.last("STOPSIGNAL")).contains("SIGTERM");
		// In JAVA_TOOL_OPTIONS rather than the ENTRYPOINT, so that `-e
		// JAVA_TOOL_OPTIONS=...` replaces them.
		assertThat(runtime.env().get("JAVA_TOOL_OPTIONS")).as("JVM flags of %s", file)
			.containsPattern("(^| )-XX:MaxRAMPercentage=[0-9.]+( |$)")
			.contains("-XX:+ExitOnOutOfMemoryError");
	}

	@ParameterizedTest
	@ValueSource(strings = { "docker/Dockerfile", "docker/Dockerfile.gpu" })
	void bakesEveryShippedModelAtTheModelRepositoryPath(Path file) throws IOException {
		Dockerfile.Stage runtime = Dockerfile.parse(file).runtime();
		String repository = runtime.env().get(MODEL_REPOSITORY);
		assertThat(repository).isEqualTo("/models");
		Map<String, String> baked = new LinkedHashMap<>();
		for (Dockerfile.Copy copy : runtime.copies()) {
			if (copy.from() == null) {
				copy.sources()
					.forEach((source) -> baked.put(Path.of(source).normalize().toString(), copy.destination()));
			}
		}
		Map<String, String> expected = new LinkedHashMap<>();
		for (String model : shippedModels()) {
			expected.put("models/" + model, repository + "/" + model);
		}
		assertThat(baked).as("the build-context COPYs of %s's image", file).isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "docker/Dockerfile", "docker/Dockerfile.gpu" })
	void pullsBaseImagesByNameWithoutARegistryHost(Path file) {
		for (Dockerfile.Stage stage : Dockerfile.parse(file).stages()) {
			String image = stage.baseImage();
			String first = image.contains("/") ? image.substring(0, image.indexOf('/')) : "";
			assertThat(first.contains(".") || first.contains(":") || first.equals("localhost"))
				.as("%s names a registry host in FROM %s", file, image)
				.isFalse();
		}
	}

	@Test
	void cpuImageBuildsTheDefaultProfileOnATemurin17Jre() {
		Dockerfile dockerfile = Dockerfile.parse(CPU);
		assertThat(dockerfile.stage("build").baseImage()).contains("temurin-17");
		assertThat(mavenRun(dockerfile)).doesNotContain("gpu");
		assertThat(dockerfile.runtime().baseImage()).startsWith("eclipse-temurin:17-jre");
	}

	@Test
	void gpuImageBuildsTheGpuProfileOnACuda12CudnnRuntime() {
		Dockerfile dockerfile = Dockerfile.parse(GPU);
		assertThat(dockerfile.stage("build").baseImage()).contains("temurin-17");
		assertThat(mavenRun(dockerfile)).contains(" -Pgpu ");
		assertThat(dockerfile.runtime().baseImage()).matches("nvidia/cuda:12\\.[0-9.]+-cudnn[0-9]*-runtime-\\S+");
		assertThat(dockerfile.runtime().all("RUN")).anyMatch((run) -> run.contains("openjdk-17-jre"));
	}

	@Test
	void gpuImageRunsTheApplicationAsTheCpuImageDoes() {
		Dockerfile.Stage cpu = Dockerfile.parse(CPU).runtime();
		Dockerfile.Stage gpu = Dockerfile.parse(GPU).runtime();
		assertThat(gpu.workdir()).isEqualTo(cpu.workdir());
		assertThat(gpu.env()).isEqualTo(cpu.env());
		assertThat(gpu.all("USER")).isEqualTo(cpu.all("USER"));
		assertThat(gpu.all("EXPOSE")).isEqualTo(cpu.all("EXPOSE"));
		assertThat(gpu.all("STOPSIGNAL")).isEqualTo(cpu.all("STOPSIGNAL"));
		assertThat(gpu.entrypoint()).isEqualTo(cpu.entrypoint());
		assertThat(withoutLines(gpu.copies())).isEqualTo(withoutLines(cpu.copies()));
	}

	@Test
	void gpuImageServesTheShippedModelsOnTheFirstGpu() throws IOException {
		for (String model : shippedModels()) {
			String shipped = Files.readString(Path.of("models", model, "model.yaml"));
			assertThat(shipped).as("models/%s/model.yaml", model).containsPattern("(?m)^devices: \\[cpu\\]$");
			Path gpuYaml = inImage(image(GPU), "/models/" + model + "/model.yaml");
			assertThat(Files.readString(gpuYaml)).as("model.yaml of %s in the GPU image", model)
				.isEqualTo(shipped.replaceAll("(?m)^devices: \\[cpu\\]$", "devices: [cuda:0]"));
			Path cpuYaml = inImage(image(CPU), "/models/" + model + "/model.yaml");
			assertThat(Files.readString(cpuYaml)).as("model.yaml of %s in the CPU image", model).isEqualTo(shipped);
		}
	}

	/**
	 * Runs the entrypoint as Kubernetes runs it with the chart's security context: the
	 * image's file system read-only and {@code /tmp} a separate writable folder (the
	 * chart's emptyDir). The JVM's temporary folder is {@code /tmp} on Linux, so the
	 * folder standing in for it is passed as {@code java.io.tmpdir}, through
	 * {@code JDK_JAVA_OPTIONS} to leave the image's own environment and entrypoint as
	 * they are. Tests may run as root, for whom {@code chmod a-w} changes nothing, so the
	 * image's files are also compared before and after the run.
	 */
	@Test
	void cpuImageEntrypointServesTheBakedModelsFromAReadOnlyRootAndStopsGracefullyOnSigterm() throws Exception {
		Dockerfile.Stage runtime = Dockerfile.parse(CPU).runtime();
		Path root = image(CPU);
		assertThat(runtime.env().get("JAVA_TOOL_OPTIONS")).as("the JVM's temporary folder stays /tmp")
			.doesNotContain("java.io.tmpdir");
		Path tmp = Files.createDirectories(work.resolve("cpu-image-tmp"));
		List<String> command = new ArrayList<>(runtime.entrypoint());
		command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
		int port = freePort();
		Path log = work.resolve("cpu-image.log");
		ProcessBuilder builder = new ProcessBuilder(command).directory(inImage(root, runtime.workdir()).toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		// The image's environment and nothing of this JVM's (no JAVA_TOOL_OPTIONS, no
		// SPRING_*): image paths mapped under the root, and the port this test picked.
		builder.environment().clear();
		runtime.env()
			.forEach((name, value) -> builder.environment()
				.put(name, value.startsWith("/") ? inImage(root, value).toString() : value));
		builder.environment().put("SERVER_PORT", Integer.toString(port));
		builder.environment().put("JDK_JAVA_OPTIONS", "-Djava.io.tmpdir=" + tmp);
		Map<String, String> files = snapshot(root);
		writable(root, false);
		Process process = builder.start();
		try {
			JsonNode readiness = awaitReadiness(process, port, log);
			JsonNode models = readiness.get("components").get("models").get("details");
			// Health bodies are public: no file paths of the server in them.
			assertThat(models.has("repository")).isFalse();
			Set<String> ready = new TreeSet<>();
			for (String name : models.get("models").propertyNames()) {
				assertThat(models.get("models").get(name).get("state").asString()).as(name).isEqualTo("READY");
				ready.add(name);
			}
			assertThat(ready).isEqualTo(new TreeSet<>(shippedModels()));
			// ONNX Runtime's native libraries and Tomcat's work folder went to /tmp.
			try (Stream<Path> written = Files.list(tmp)) {
				assertThat(written.map((path) -> path.getFileName().toString())).as("written to /tmp")
					.anyMatch((name) -> name.startsWith("onnxruntime-java"))
					.anyMatch((name) -> name.startsWith("tomcat"));
			}

			process.destroy();
			assertThat(process.waitFor(SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
				.as("stopped within %s of SIGTERM; log:%n%s", SHUTDOWN_TIMEOUT, tail(log))
				.isTrue();
			// 143 = 128 + SIGTERM: OrderlyTermination closed the application, then exited
			// as the signal's convention asks.
			assertThat(process.exitValue()).as("exit status; log:%n%s", tail(log)).isIn(0, 143);
			assertThat(Files.readString(log))
				.contains("Picked up JAVA_TOOL_OPTIONS: " + runtime.env().get("JAVA_TOOL_OPTIONS"))
				.contains("Commencing graceful shutdown", "Graceful shutdown complete");
			assertThat(changes(files, snapshot(root))).as("written in the read-only image").isEmpty();
		}
		finally {
			if (process.isAlive()) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
			writable(root, true);
		}
	}

	/**
	 * @return every file and folder under {@code root} with its size and modification
	 * time (a folder's changes when an entry is created or removed in it)
	 */
	private static Map<String, String> snapshot(Path root) throws IOException {
		Map<String, String> files = new TreeMap<>();
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.toList()) {
				files.put(root.relativize(path).toString(),
						Files.size(path) + " " + Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS));
			}
		}
		return files;
	}

	private static Set<String> changes(Map<String, String> before, Map<String, String> after) {
		Set<String> changed = new TreeSet<>(before.keySet());
		changed.addAll(after.keySet());
		changed.removeIf((path) -> Objects.equals(before.get(path), after.get(path)));
		return changed;
	}

	/** {@code chmod -R a-w} or {@code u+w}. */
	private static void writable(Path root, boolean writable) throws IOException {
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.toList()) {
				Set<PosixFilePermission> permissions = EnumSet
					.copyOf(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
				if (writable) {
					permissions.add(PosixFilePermission.OWNER_WRITE);
				}
				else {
					permissions.removeAll(EnumSet.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE,
							PosixFilePermission.OTHERS_WRITE));
				}
				Files.setPosixFilePermissions(path, permissions);
			}
		}
	}

	private static JsonNode awaitReadiness(Process process, int port, Path log) throws InterruptedException {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/readiness"))
			.timeout(Duration.ofSeconds(10))
			.build();
		Instant deadline = Instant.now().plus(READINESS_TIMEOUT);
		String last = "no answer";
		while (Instant.now().isBefore(deadline)) {
			if (!process.isAlive()) {
				fail("the entrypoint exited with " + process.exitValue() + " before readiness; log:\n" + tail(log));
			}
			try {
				HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
				last = response.statusCode() + " " + response.body();
				JsonNode body = JSON.readTree(response.body());
				if (response.statusCode() == 200) {
					assertThat(body.get("status").asString()).as(last).isEqualTo("UP");
					return body;
				}
				// DOWN while the models load; a repository problem or a failed model will
				// not heal.
				JsonNode models = body.path("components").path("models").path("details");
				assertThat(models.has("problem")).as("readiness: %s; log:%n%s", last, tail(log)).isFalse();
				for (JsonNode model : models.path("models")) {
					assertThat(model.path("state").asString()).as("readiness: %s; log:%n%s", last, tail(log))
						.isNotEqualTo("FAILED");
				}
			}
			catch (ConnectException ex) {
				// not listening yet
			}
			catch (IOException ex) {
				last = ex.toString();
			}
			Thread.sleep(200);
		}
		throw new AssertionError("not ready after " + READINESS_TIMEOUT + ": " + last + "; log:\n" + tail(log));
	}

	/**
	 * The build stage of {@code file} as the engine would leave it: its Maven RUN line is
	 * the {@code package} that ran before this test (target/ is linked in), and every RUN
	 * line after it runs here, verbatim under {@code sh -c} in the mapped WORKDIR, with
	 * this JDK's {@code java} first on the PATH.
	 */
	private static synchronized Path buildStage(Path file) {
		return builds.computeIfAbsent(file, (key) -> {
			Dockerfile dockerfile = Dockerfile.parse(key);
			String workdir = dockerfile.stage("build").workdir();
			try {
				Path root = Files.createDirectories(work.resolve(key.getFileName() + "-build"));
				Files.createSymbolicLink(root.resolve("target"), Path.of("target").toAbsolutePath());
				String path = Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH");
				for (String run : buildRunsAfterMaven(dockerfile)) {
					execute(run.replace(workdir + "/", root + "/"), root, Map.of("PATH", path));
				}
				return root;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
	}

	/**
	 * The final stage's file system: its COPYs in order, from the build context or from
	 * {@link #buildStage}, and those of its RUN lines that edit the model repository (run
	 * with the repository's path mapped); the others (packages, users) need an engine.
	 */
	private static synchronized Path image(Path file) {
		return images.computeIfAbsent(file, (key) -> {
			Dockerfile dockerfile = Dockerfile.parse(key);
			Dockerfile.Stage runtime = dockerfile.runtime();
			Path build = buildStage(key);
			String buildWorkdir = dockerfile.stage("build").workdir();
			String repository = runtime.env().get(MODEL_REPOSITORY);
			try {
				Path root = Files.createDirectories(work.resolve(key.getFileName() + "-image"));
				int copies = 0;
				for (Dockerfile.Instruction instruction : runtime.instructions()) {
					if (instruction.keyword().equals("COPY")) {
						Dockerfile.Copy copy = runtime.copies().get(copies++);
						for (String source : copy.sources()) {
							Path from = (copy.from() != null) ? inStage(build, buildWorkdir, source) : Path.of(source);
							copyInto(from, inImage(root, copy.destination()), copy.destination().endsWith("/"));
						}
					}
					else if (instruction.keyword().equals("RUN") && repository != null
							&& instruction.arguments().contains(repository + "/")) {
						execute(instruction.arguments().replace(repository + "/", inImage(root, repository) + "/"),
								root, Map.of("PATH", System.getenv("PATH")));
					}
				}
				return root;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
	}

	private static List<String> buildRunsAfterMaven(Dockerfile dockerfile) {
		List<String> runs = dockerfile.stage("build").all("RUN");
		int maven = runs.indexOf(mavenRun(dockerfile));
		assertThat(maven).as("the Maven build is the first RUN of the build stage").isZero();
		return runs.subList(maven + 1, runs.size());
	}

	private static String mavenRun(Dockerfile dockerfile) {
		List<String> maven = dockerfile.stage("build")
			.all("RUN")
			.stream()
			.filter((run) -> run.contains("mvn "))
			.toList();
		assertThat(maven).as("Maven RUN lines of %s", dockerfile.path()).hasSize(1);
		assertThat(maven.get(0)).contains(" package ").contains("-Dmaven.test.skip=true");
		return maven.get(0);
	}

	private static void execute(String command, Path directory, Map<String, String> environment) throws IOException {
		ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).directory(directory.toFile())
			.redirectErrorStream(true);
		builder.environment().putAll(environment);
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		try {
			assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		assertThat(process.exitValue()).as("RUN %s%n%s", command, output).isZero();
	}

	/**
	 * COPY's rule: a directory's contents go into the destination; a file goes to the
	 * destination, or into it when it is a directory.
	 */
	private static void copyInto(Path source, Path destination, boolean intoDirectory) throws IOException {
		if (Files.isDirectory(source)) {
			try (Stream<Path> files = Files.walk(source)) {
				for (Path each : files.toList()) {
					Path target = destination.resolve(source.relativize(each).toString());
					if (Files.isDirectory(each)) {
						Files.createDirectories(target);
					}
					else {
						Files.copy(each, target, StandardCopyOption.REPLACE_EXISTING);
					}
				}
			}
		}
		else {
			Path target = (intoDirectory || Files.isDirectory(destination))
					? destination.resolve(source.getFileName().toString()) : destination;
			Files.createDirectories(target.getParent());
			Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	private static Path inImage(Path root, String imagePath) {
		assertThat(imagePath).as("an absolute image path").startsWith("/");
		return root.resolve(imagePath.substring(1));
	}

	private static Path inStage(Path root, String workdir, String path) {
		String resolved = Dockerfile.resolve(workdir, path);
		assertThat(resolved + "/").as("%s lies in the build stage's WORKDIR %s", path, workdir)
			.startsWith(workdir + "/");
		return root.resolve(Path.of(workdir).relativize(Path.of(resolved)).toString());
	}

	/**
	 * @return the folders of models/ that are models (a model.yaml): what the images bake
	 */
	private static List<String> shippedModels() {
		try (Stream<Path> folders = Files.list(Path.of("models"))) {
			return folders.filter((folder) -> Files.isRegularFile(folder.resolve("model.yaml")))
				.map((folder) -> folder.getFileName().toString())
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static List<PathMatcher> dockerignore() throws IOException {
		List<PathMatcher> matchers = new ArrayList<>();
		for (String line : Files.readAllLines(Path.of(".dockerignore"))) {
			String pattern = line.strip();
			if (pattern.isEmpty() || pattern.startsWith("#")) {
				continue;
			}
			assertThat(pattern).as(".dockerignore exceptions (!) are not checked here").doesNotStartWith("!");
			matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
		}
		return matchers;
	}

	/**
	 * @return whether {@code path} or a folder above it matches a .dockerignore pattern
	 */
	private static boolean isIgnored(Path path, List<PathMatcher> ignored) {
		for (Path each = path.normalize(); each != null; each = each.getParent()) {
			Path candidate = each;
			if (ignored.stream().anyMatch((matcher) -> matcher.matches(candidate))) {
				return true;
			}
		}
		return false;
	}

	private static List<String> withoutLines(List<Dockerfile.Copy> copies) {
		return copies.stream()
			.map((copy) -> copy.from() + " " + String.join(" ", copy.sources()) + " " + copy.destination())
			.toList();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log);
			return lines.subList(Math.max(0, lines.size() - 60), lines.size())
				.stream()
				.collect(Collectors.joining(System.lineSeparator()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

}
