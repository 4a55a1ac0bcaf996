package dev.visionserve.generate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watch reads the kernel's TCP table; here, tables written by the test in the same
 * format.
 */
class HangUpWatchTests {

	private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n";

	/** Port 8080 (1F90) listening. */
	private static final String LISTENING = "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0\n";

	@TempDir
	Path folder;

	@Test
	void noticesAConnectionInCloseWaitOrGone() throws Exception {
		Path table = this.folder.resolve("tcp");
		// Client port 53924 (D2A4) connected, client port 53925 (D2A5) half-closed.
		Files.writeString(table,
				HEADER + LISTENING + "   1: 0100007F:1F90 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000 0\n"
						+ "   2: 0100007F:1F90 0100007F:D2A5 08 00000000:00000000 00:00000000 00000000 0\n");
		try (HangUpWatch watch = new HangUpWatch(List.of(table, this.folder.resolve("tcp6")), 20)) {
			CompletableFuture<String> hungUp = new CompletableFuture<>();
			AtomicBoolean connectedHungUp = new AtomicBoolean();
			watch.watch(8080, 0xD2A4, () -> connectedHungUp.set(true));
			watch.watch(8080, 0xD2A5, () -> hungUp.complete("close-wait"));
			assertThat(hungUp.get(5, TimeUnit.SECONDS)).isEqualTo("close-wait");
			assertThat(connectedHungUp).isFalse();
			// The kernel forgets a reset connection altogether.
			Files.writeString(table, HEADER + LISTENING);
			CompletableFuture<Boolean> gone = new CompletableFuture<>();
			watch.watch(8080, 0xD2A6, () -> gone.complete(true));
			assertThat(gone.get(5, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void readsIpv6Tables() throws Exception {
		Path table = this.folder.resolve("tcp6");
		Files.writeString(table, HEADER
				+ "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0\n"
				+ "   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D2A4 08 00000000:00000000 00:00000000 00000000 0\n");
		try (HangUpWatch watch = new HangUpWatch(List.of(this.folder.resolve("tcp"), table), 20)) {
			CompletableFuture<Boolean> hungUp = new CompletableFuture<>();
			watch.watch(8080, 0xD2A4, () -> hungUp.complete(true));
			assertThat(hungUp.get(5, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void cancelsNothingWhenTheTableDoesNotShowTheServersPort() throws Exception {
		Path table = this.folder.resolve("tcp");
		// Another network namespace's table: the server's port is not listening in it.
		Files.writeString(table,
				HEADER + "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0\n");
		try (HangUpWatch watch = new HangUpWatch(List.of(table), 20)) {
			CompletableFuture<Boolean> hungUp = new CompletableFuture<>();
			watch.watch(8080, 0xD2A4, () -> hungUp.complete(true));
			// Many check periods pass; the connection must not be called gone.
			assertThat(hungUp).failsWithin(500, TimeUnit.MILLISECONDS);
		}
	}

	@Test
	void forgetsAConnectionOnceUnwatched() throws Exception {
		Path table = this.folder.resolve("tcp");
		Files.writeString(table, HEADER + LISTENING);
		try (HangUpWatch watch = new HangUpWatch(List.of(table), 20)) {
			CompletableFuture<Boolean> hungUp = new CompletableFuture<>();
			watch.unwatch(watch.watch(8080, 0xD2A4, () -> hungUp.complete(true)));
			assertThat(hungUp).failsWithin(300, TimeUnit.MILLISECONDS);
		}
	}

}
