package dev.visionserve.generate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watch reads the kernel's TCP table; here, tables written by the test in the same
 * format, and checks run by the test (the timer's period is an hour).
 */
class HangUpWatchTests {

	private static final long NEVER = 3_600_000;

	private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n";

	/** Port 8080 (1F90) listening. */
	private static final String LISTENING = "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0\n";

	/** Client port 53924 (D2A4) connected. */
	private static final String CONNECTED = "   1: 0100007F:1F90 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000 0\n";

	/** Client port 53925 (D2A5) half-closed: the client sent FIN. */
	private static final String CLOSE_WAIT = "   2: 0100007F:1F90 0100007F:D2A5 08 00000000:00000000 00:00000000 00000000 0\n";

	@TempDir
	Path folder;

	@Test
	void callsAConnectionGoneWhenTwoChecksInARowDoNotFindItEstablished() throws Exception {
		Path table = this.folder.resolve("tcp");
		Files.writeString(table, HEADER + LISTENING + CONNECTED + CLOSE_WAIT);
		try (HangUpWatch watch = new HangUpWatch(List.of(table, this.folder.resolve("tcp6")), NEVER)) {
			AtomicInteger connected = new AtomicInteger();
			AtomicInteger halfClosed = new AtomicInteger();
			AtomicInteger reset = new AtomicInteger();
			watch.watch(8080, 0xD2A4, connected::incrementAndGet);
			watch.watch(8080, 0xD2A5, halfClosed::incrementAndGet);
			// The kernel forgets a reset connection altogether.
			watch.watch(8080, 0xD2A6, reset::incrementAndGet);
			watch.check();
			assertThat(halfClosed).hasValue(0);
			assertThat(reset).hasValue(0);
			watch.check();
			watch.check();
			assertThat(halfClosed).hasValue(1);
			assertThat(reset).hasValue(1);
			assertThat(connected).hasValue(0);
		}
	}

	@Test
	void keepsAConnectionThatOneReadOfTheTableMissed() throws Exception {
		Path table = this.folder.resolve("tcp");
		try (HangUpWatch watch = new HangUpWatch(List.of(table), NEVER)) {
			AtomicInteger hungUp = new AtomicInteger();
			watch.watch(8080, 0xD2A4, hungUp::incrementAndGet);
			for (int i = 0; i < 5; i++) {
				// A read amid churn that skipped the entry, then a whole one.
				Files.writeString(table, HEADER + LISTENING);
				watch.check();
				Files.writeString(table, HEADER + LISTENING + CONNECTED);
				watch.check();
			}
			assertThat(hungUp).hasValue(0);
		}
	}

	@Test
	void readsIpv6Tables() throws Exception {
		Path table = this.folder.resolve("tcp6");
		Files.writeString(table, HEADER
				+ "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0\n"
				+ "   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D2A4 01 00000000:00000000 00:00000000 00000000 0\n"
				+ "   2: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D2A5 08 00000000:00000000 00:00000000 00000000 0\n");
		try (HangUpWatch watch = new HangUpWatch(List.of(this.folder.resolve("tcp"), table), NEVER)) {
			AtomicInteger connected = new AtomicInteger();
			AtomicInteger halfClosed = new AtomicInteger();
			watch.watch(8080, 0xD2A4, connected::incrementAndGet);
			watch.watch(8080, 0xD2A5, halfClosed::incrementAndGet);
			watch.check();
			watch.check();
			assertThat(halfClosed).hasValue(1);
			assertThat(connected).hasValue(0);
		}
	}

	@Test
	void cancelsNothingWhenTheTableDoesNotShowTheServersPort() throws Exception {
		Path table = this.folder.resolve("tcp");
		// Another network namespace's table: the server's port is not listening in it.
		Files.writeString(table,
				HEADER + "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0\n");
		try (HangUpWatch watch = new HangUpWatch(List.of(table), NEVER)) {
			AtomicInteger hungUp = new AtomicInteger();
			watch.watch(8080, 0xD2A4, hungUp::incrementAndGet);
			watch.check();
			watch.check();
			assertThat(hungUp).hasValue(0);
		}
	}

	@Test
	void forgetsAConnectionOnceUnwatched() throws Exception {
		Path table = this.folder.resolve("tcp");
		Files.writeString(table, HEADER + LISTENING);
		try (HangUpWatch watch = new HangUpWatch(List.of(table), NEVER)) {
			AtomicInteger hungUp = new AtomicInteger();
			watch.unwatch(watch.watch(8080, 0xD2A4, hungUp::incrementAndGet));
			watch.check();
			watch.check();
			assertThat(hungUp).hasValue(0);
		}
	}

}
