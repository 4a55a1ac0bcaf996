package dev.visionserve.runtime;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A place to run a session: the CPU or one CUDA GPU.
 *
 * @param kind CPU or CUDA
 * @param index the CUDA device ordinal; 0 for the CPU
 */
public record Device(Kind kind, int index) {

	private static final Pattern CUDA = Pattern.compile("cuda(?::(\\d+))?");

	public static final Device CPU = new Device(Kind.CPU, 0);

	/**
	 * Parses {@code cpu}, {@code cuda} or {@code cuda:N}.
	 * @param text the device as written in model.yaml
	 * @return the device
	 * @throws IllegalArgumentException naming the accepted forms
	 */
	public static Device parse(String text) {
		String normalized = text.trim().toLowerCase(Locale.ROOT);
		if (normalized.equals("cpu")) {
			return CPU;
		}
		Matcher matcher = CUDA.matcher(normalized);
		if (matcher.matches()) {
			return new Device(Kind.CUDA, (matcher.group(1) != null) ? Integer.parseInt(matcher.group(1)) : 0);
		}
		throw new IllegalArgumentException("Unknown device '" + text + "': use cpu, cuda or cuda:N");
	}

	public boolean isGpu() {
		return this.kind == Kind.CUDA;
	}

	@Override
	public String toString() {
		return isGpu() ? "cuda:" + this.index : "cpu";
	}

	public enum Kind {

		CPU, CUDA

	}

}
