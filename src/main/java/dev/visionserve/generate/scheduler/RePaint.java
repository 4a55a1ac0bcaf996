package dev.visionserve.generate.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * RePaint's rules for inpainting with an unconditional sampler (Lugmayr et al. 2022): the
 * known region is replaced by the original noised to the step's level (eq. 8–9), and the
 * schedule goes back and forth ("jumps") so the generated region harmonises with it (sec.
 * 4.2). Stateless.
 */
public final class RePaint {

	private RePaint() {
	}

	/**
	 * Eq. 9: x_{t−1} = m ⊙ x^known_{t−1} + (1 − m) ⊙ x^unknown_{t−1}.
	 * @param known the original noised to the step's level (eq. 8)
	 * @param unknown the sampler's step from the previous sample
	 * @param keep m: true where the pixel is known (the mask is black)
	 * @return the combined sample
	 */
	public static float[] combine(float[] known, float[] unknown, boolean[] keep) {
		if (known.length != unknown.length || known.length != keep.length) {
			throw new IllegalArgumentException("known " + known.length + ", unknown " + unknown.length + " and mask "
					+ keep.length + " elements differ");
		}
		float[] combined = new float[known.length];
		for (int i = 0; i < combined.length; i++) {
			combined[i] = keep[i] ? known[i] : unknown[i];
		}
		return combined;
	}

	/**
	 * The order in which RePaint visits the sampler's steps, as positions counted from
	 * the clean end: {@code steps − 1} is the noisiest timestep, −1 the clean sample. A
	 * move to a lower position is a denoising step; a move up is a renoising one. Every
	 * {@code jumpLength} positions (from the clean end, below the last jump's length) the
	 * walk goes back up {@code jumpLength} positions and down again,
	 * {@code resampleCount − 1} times; with {@code resampleCount} 1 it is the plain walk
	 * down.
	 * @param steps the sampler's steps
	 * @param jumpLength j, positions per jump back
	 * @param resampleCount r, passes over each stretch
	 * @return the positions visited, starting at {@code steps − 1} and ending at −1
	 */
	public static int[] schedule(int steps, int jumpLength, int resampleCount) {
		if (steps < 1 || jumpLength < 1 || resampleCount < 1) {
			throw new IllegalArgumentException("steps, jumpLength and resampleCount must be ≥ 1, were " + steps + ", "
					+ jumpLength + ", " + resampleCount);
		}
		Map<Integer, Integer> jumpsLeft = new HashMap<>();
		for (int position = 0; position < steps - jumpLength; position += jumpLength) {
			jumpsLeft.put(position, resampleCount - 1);
		}
		List<Integer> positions = new ArrayList<>();
		int position = steps;
		while (position >= 1) {
			position--;
			positions.add(position);
			int left = jumpsLeft.getOrDefault(position, 0);
			if (left > 0) {
				jumpsLeft.put(position, left - 1);
				for (int i = 0; i < jumpLength; i++) {
					position++;
					positions.add(position);
				}
			}
		}
		positions.add(-1);
		return positions.stream().mapToInt(Integer::intValue).toArray();
	}

	/**
	 * @return the denoising moves of a schedule: model calls per image (twice that with
	 * guidance)
	 */
	public static int denoisingSteps(int[] schedule) {
		int count = 0;
		for (int i = 1; i < schedule.length; i++) {
			count += (schedule[i] < schedule[i - 1]) ? 1 : 0;
		}
		return count;
	}

	/**
	 * The model calls of a RePaint schedule on a sampler's timesteps: each denoising move
	 * is a call at its timestep landing on the next one, and the moves up that follow it
	 * become one renoising from the landing timestep (q(x_t | x_s) composes).
	 * @param timesteps the sampler's run, noisiest first
	 * @param schedule positions from {@link #schedule}
	 * @return the walk
	 */
	public static Walk walk(int[] timesteps, int[] schedule) {
		int steps = timesteps.length;
		List<Integer> calls = new ArrayList<>();
		List<Integer> landings = new ArrayList<>();
		List<Integer> renoiseTo = new ArrayList<>();
		for (int i = 1; i < schedule.length; i++) {
			if (schedule[i] < schedule[i - 1]) {
				calls.add(timesteps[steps - 1 - schedule[i - 1]]);
				landings.add(timestepAt(timesteps, schedule[i]));
				renoiseTo.add(Walk.NONE);
			}
			else {
				renoiseTo.set(renoiseTo.size() - 1, timestepAt(timesteps, schedule[i]));
			}
		}
		return new Walk(toArray(calls), toArray(landings), toArray(renoiseTo));
	}

	private static int timestepAt(int[] timesteps, int position) {
		return (position < 0) ? -1 : timesteps[timesteps.length - 1 - position];
	}

	private static int[] toArray(List<Integer> values) {
		return values.stream().mapToInt(Integer::intValue).toArray();
	}

	/**
	 * A RePaint walk as model calls.
	 *
	 * @param calls the timestep of each call, in order
	 * @param landings the timestep each call's step lands on; −1 for the clean sample
	 * @param renoiseTo the timestep to renoise to after the call, or {@link #NONE}
	 */
	public record Walk(int[] calls, int[] landings, int[] renoiseTo) {

		public static final int NONE = Integer.MIN_VALUE;

	}

}
