package dev.visionserve.generate.scheduler;

import java.util.List;
import java.util.Locale;

/**
 * Creates samplers by the names the API accepts. Stateless.
 */
public final class Schedulers {

	private static final List<String> NAMES = List.of("ddpm", "ddim", "euler", "dpmpp-2m", "dpmpp-2m-karras", "unipc",
			"unipc-karras");

	private Schedulers() {
	}

	/**
	 * @param name one of {@link #names()}: {@code ddpm}, {@code ddim}, {@code euler},
	 * {@code dpmpp-2m}, {@code dpmpp-2m-karras}, {@code unipc} or {@code unipc-karras};
	 * case-insensitive
	 * @param config the model's scheduler configuration
	 * @return a new scheduler, for one generation
	 * @throws IllegalArgumentException listing the names when {@code name} is none of
	 * them
	 */
	public static Scheduler create(String name, SchedulerConfig config) {
		String key = (name != null) ? name.trim().toLowerCase(Locale.ROOT) : "";
		return switch (key) {
			case "ddpm" -> new DdpmScheduler(config);
			case "ddim" -> new DdimScheduler(config);
			case "euler" -> new EulerScheduler(config);
			case "dpmpp-2m" -> new DpmSolverMultistepScheduler(config);
			case "dpmpp-2m-karras" -> new DpmSolverMultistepScheduler(config, true);
			case "unipc" -> new UniPcMultistepScheduler(config);
			case "unipc-karras" -> new UniPcMultistepScheduler(config, true);
			default -> throw new IllegalArgumentException(
					"Unknown scheduler '" + name + "'; expected one of " + String.join(", ", NAMES));
		};
	}

	/**
	 * @return the scheduler names, in a stable order
	 */
	public static List<String> names() {
		return NAMES;
	}

}
