package dev.visionserve.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SoloSessionTests {

	private final AtomicLong now = new AtomicLong(1_000_000_000L);

	private final ModelSession wide = new ModelSession(null, Device.CPU, Device.CPU, 2);

	private final ModelSession first = new ModelSession(null, Device.CPU, Device.CPU, 1);

	private final ModelSession second = new ModelSession(null, Device.CPU, Device.CPU, 1);

	private final SoloSession solo = new SoloSession(this.wide, this.now::get);

	@Test
	void aLoneBatchRunsOnTheAllCoresSession() {
		assertThat(this.solo.start(this.first)).isSameAs(this.wide);
		this.solo.finish();
		assertThat(this.solo.start(this.second)).isSameAs(this.wide);
		this.solo.finish();
	}

	@Test
	void aBatchStartingWhileAnotherRunsKeepsToItsOwnSession() {
		assertThat(this.solo.start(this.first)).isSameAs(this.wide);
		assertThat(this.solo.start(this.second)).isSameAs(this.second);
		this.solo.finish();
		this.solo.finish();
	}

	@Test
	void afterBatchesOverlapLoneOnesStayNarrowUntilTheQuietTimeHasPassed() {
		this.solo.start(this.first);
		this.solo.start(this.second);
		this.solo.finish();
		this.solo.finish();
		// The gap between two generation lanes' ticks: the next batch is alone only for
		// a moment.
		this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
		assertThat(this.solo.start(this.first)).isSameAs(this.first);
		this.solo.finish();
		this.now.addAndGet(SoloSession.QUIET_NANOS);
		assertThat(this.solo.start(this.first)).isSameAs(this.wide);
		this.solo.finish();
	}

	@Test
	void neverLendsTheAllCoresSessionToTwoBatchesAtOnce() {
		assertThat(this.solo.start(this.first)).isSameAs(this.wide);
		this.now.addAndGet(10 * SoloSession.QUIET_NANOS);
		assertThat(this.solo.start(this.second)).isSameAs(this.second);
		assertThat(this.solo.start(this.first)).isSameAs(this.first);
	}

}
