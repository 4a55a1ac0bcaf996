package dev.visionserve.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.json.JsonMapper;

/**
 * The part of the Dockerfile syntax that VisionServe's Dockerfiles use: stages
 * ({@code FROM image AS name}), {@code WORKDIR}, {@code COPY [--from=stage] src... dest},
 * {@code RUN}, {@code ENV}, {@code USER}, {@code EXPOSE}, {@code STOPSIGNAL} and an
 * exec-form {@code ENTRYPOINT}; comments and backslash continuations. Anything it does
 * not understand fails the parse rather than being skipped, so the checks built on it
 * cannot pass by not seeing something. Immutable.
 */
record Dockerfile(Path path, List<Stage> stages) {

	private static final Pattern FROM = Pattern
		.compile("(?i)(?:--platform=\\S+\\s+)?(?<image>\\S+)(?:\\s+AS\\s+(?<name>\\S+))?");

	private static final Pattern ENV_PAIR = Pattern
		.compile("(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?:\"(?<quoted>[^\"]*)\"|(?<plain>\\S*))");

	private static final List<String> KNOWN = List.of("FROM", "WORKDIR", "COPY", "RUN", "ENV", "USER", "EXPOSE",
			"STOPSIGNAL", "ENTRYPOINT");

	static Dockerfile parse(Path path) {
		List<Stage> stages = new ArrayList<>();
		Stage stage = null;
		String workdir = "/";
		for (Instruction instruction : instructions(path)) {
			if (instruction.keyword().equals("FROM")) {
				Matcher from = FROM.matcher(instruction.arguments());
				if (!from.matches()) {
					throw new IllegalArgumentException(path + ":" + instruction.line() + ": cannot read FROM");
				}
				stage = new Stage(from.group("image"), from.group("name"), new ArrayList<>(), new ArrayList<>());
				stages.add(stage);
				workdir = "/";
				continue;
			}
			if (stage == null) {
				throw new IllegalArgumentException(path + ":" + instruction.line() + ": instruction before FROM");
			}
			if (instruction.keyword().equals("WORKDIR")) {
				workdir = resolve(workdir, instruction.arguments());
			}
			stage.instructions().add(instruction);
			if (instruction.keyword().equals("COPY")) {
				stage.copies().add(Copy.parse(instruction, workdir));
			}
		}
		return new Dockerfile(path, List.copyOf(stages));
	}

	/**
	 * @return the final stage: what the image is
	 */
	Stage runtime() {
		return this.stages.get(this.stages.size() - 1);
	}

	Stage stage(String name) {
		return this.stages.stream()
			.filter((stage) -> name.equals(stage.name()))
			.findFirst()
			.orElseThrow(() -> new AssertionError(this.path + " has no stage named " + name));
	}

	private static List<Instruction> instructions(Path path) {
		List<String> lines;
		try {
			lines = Files.readAllLines(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		List<Instruction> instructions = new ArrayList<>();
		StringBuilder pending = null;
		int start = 0;
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i).strip();
			if (line.startsWith("#") || (line.isEmpty() && pending == null)) {
				continue;
			}
			if (pending == null) {
				pending = new StringBuilder();
				start = i + 1;
			}
			if (line.endsWith("\\")) {
				pending.append(line, 0, line.length() - 1).append(' ');
				continue;
			}
			pending.append(line);
			String text = pending.toString().strip();
			pending = null;
			String[] parts = text.split("\\s+", 2);
			String keyword = parts[0].toUpperCase(Locale.ROOT);
			if (!KNOWN.contains(keyword)) {
				throw new IllegalArgumentException(path + ":" + start + ": instruction " + keyword + " not understood");
			}
			instructions.add(new Instruction(keyword, (parts.length > 1) ? parts[1].strip() : "", start));
		}
		if (pending != null) {
			throw new IllegalArgumentException(path + ": ends inside a continued line");
		}
		return instructions;
	}

	/**
	 * @return {@code path} against the directory {@code base}, both image paths
	 */
	static String resolve(String base, String path) {
		String joined = path.startsWith("/") ? path : (base.endsWith("/") ? base : base + "/") + path;
		String normalized = Path.of(joined).normalize().toString();
		return (path.endsWith("/") && !normalized.endsWith("/")) ? normalized + "/" : normalized;
	}

	record Instruction(String keyword, String arguments, int line) {

	}

	/**
	 * One {@code COPY}: sources are build-context paths (no {@code from}) or paths in
	 * another stage; {@code destination} is absolute (resolved against the WORKDIR in
	 * force), ending with {@code /} when written so.
	 */
	record Copy(String from, List<String> sources, String destination, int line) {

		static Copy parse(Instruction instruction, String workdir) {
			if (instruction.arguments().startsWith("[")) {
				throw new IllegalArgumentException("line " + instruction.line() + ": JSON-form COPY not understood");
			}
			List<String> words = new ArrayList<>(Arrays.asList(instruction.arguments().split("\\s+")));
			String from = null;
			while (!words.isEmpty() && words.get(0).startsWith("--")) {
				String flag = words.remove(0);
				if (flag.startsWith("--from=")) {
					from = flag.substring("--from=".length());
				}
				else if (!flag.startsWith("--chown=") && !flag.startsWith("--chmod=") && !flag.equals("--link")) {
					throw new IllegalArgumentException(
							"line " + instruction.line() + ": COPY " + flag + " not understood");
				}
			}
			if (words.size() < 2) {
				throw new IllegalArgumentException(
						"line " + instruction.line() + ": COPY needs a source and a destination");
			}
			String destination = resolve(workdir, words.get(words.size() - 1));
			return new Copy(from, List.copyOf(words.subList(0, words.size() - 1)), destination, instruction.line());
		}

	}

	/**
	 * One stage, its instructions in order and its COPYs with their destinations
	 * resolved.
	 */
	record Stage(String baseImage, String name, List<Instruction> instructions, List<Copy> copies) {

		List<String> all(String keyword) {
			return this.instructions.stream()
				.filter((instruction) -> instruction.keyword().equals(keyword))
				.map(Instruction::arguments)
				.toList();
		}

		Optional<String> last(String keyword) {
			List<String> all = all(keyword);
			return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
		}

		/**
		 * @return the WORKDIR in force at the end of the stage (where the ENTRYPOINT
		 * runs)
		 */
		String workdir() {
			String workdir = "/";
			for (String path : all("WORKDIR")) {
				workdir = resolve(workdir, path);
			}
			return workdir;
		}

		Map<String, String> env() {
			Map<String, String> env = new LinkedHashMap<>();
			for (String arguments : all("ENV")) {
				Matcher pair = ENV_PAIR.matcher(arguments);
				int end = 0;
				while (pair.find() && pair.start() == end) {
					env.put(pair.group("key"),
							(pair.group("quoted") != null) ? pair.group("quoted") : pair.group("plain"));
					end = pair.end();
					while (end < arguments.length() && Character.isWhitespace(arguments.charAt(end))) {
						end++;
					}
				}
				if (end != arguments.length()) {
					throw new IllegalArgumentException("ENV " + arguments + ": only KEY=VALUE pairs are understood");
				}
			}
			return env;
		}

		/**
		 * @return the exec-form ENTRYPOINT's argv; a shell-form one fails (its java would
		 * not be PID 1 and would not get the SIGTERM)
		 */
		List<String> entrypoint() {
			String entrypoint = last("ENTRYPOINT").orElseThrow(() -> new AssertionError("no ENTRYPOINT"));
			if (!entrypoint.startsWith("[")) {
				throw new AssertionError("ENTRYPOINT is in shell form: " + entrypoint);
			}
			return List.of(JsonMapper.builder().build().readValue(entrypoint, String[].class));
		}

	}

}
