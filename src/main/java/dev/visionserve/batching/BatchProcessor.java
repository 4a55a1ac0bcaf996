package dev.visionserve.batching;

import java.util.List;

/**
 * Runs one batch. Each instance is owned by exactly one worker thread of a
 * {@link DynamicBatcher}, so an implementation needs no locking of its own (a CUDA
 * session must never be called from two threads).
 *
 * @param <I> one job's input
 * @param <O> one job's output
 */
@FunctionalInterface
public interface BatchProcessor<I, O> {

	/**
	 * Processes the inputs of one batch.
	 * @param inputs the jobs' inputs, in queue order
	 * @return one output per input, in the same order
	 * @throws Exception any failure, which fails every job of this batch and no other
	 */
	List<O> process(List<I> inputs) throws Exception;

}
