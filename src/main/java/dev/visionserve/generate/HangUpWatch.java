package dev.visionserve.generate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Notices a client that hung up while waiting for a non-streaming answer. A servlet
 * container reports a closed connection only when it writes to it, and a JSON or PNG
 * generation writes nothing until its last step, so without this its work would go on
 * until the deadline. Once a second it reads the kernel's TCP table
 * ({@code /proc/net/tcp} and {@code tcp6}) and cancels every watched generation whose
 * connection is no longer {@code ESTABLISHED} (a client's FIN leaves it in
 * {@code CLOSE_WAIT}; a reset removes it).
 *
 * <p>
 * Off where there is no such table (not Linux), or where the table does not show the
 * server's own listening port (another network namespace): then nothing is ever cancelled
 * by mistake, and hang-ups are noticed at the deadline as before. Thread-safe; one per
 * application, with one daemon thread.
 */
final class HangUpWatch implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(HangUpWatch.class);

	private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

	private static final String ESTABLISHED = "01";

	private static final String LISTEN = "0A";

	private final List<Path> tables;

	private final Map<Connection, Runnable> watched = new ConcurrentHashMap<>();

	/**
	 * Connections not seen ESTABLISHED in the previous check. The kernel writes its table
	 * in chunks, so a read amid heavy connection churn can miss a live entry; a client is
	 * called gone only when two checks in a row do not see it.
	 */
	private Set<Connection> missingBefore = Set.of();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "hang-up-watch");
		thread.setDaemon(true);
		return thread;
	});

	HangUpWatch() {
		this(TABLES, 1000);
	}

	HangUpWatch(List<Path> tables, long periodMillis) {
		this.tables = tables;
		this.timer.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Calls {@code onHangUp} once if the connection closes before {@link #unwatch}.
	 * @param localPort the server's port the client connected to
	 * @param remotePort the client's port
	 */
	Connection watch(int localPort, int remotePort, Runnable onHangUp) {
		Connection connection = new Connection(localPort, remotePort);
		this.watched.put(connection, onHangUp);
		return connection;
	}

	void unwatch(Connection connection) {
		this.watched.remove(connection);
	}

	/** One look at the TCP table; the timer calls it once a period. */
	void check() {
		if (this.watched.isEmpty()) {
			return;
		}
		try {
			Set<Connection> established = new HashSet<>();
			Set<Integer> listening = new HashSet<>();
			for (Path table : this.tables) {
				if (Files.isReadable(table)) {
					read(table, established, listening);
				}
			}
			Set<Connection> missing = new HashSet<>();
			this.watched.forEach((connection, onHangUp) -> {
				if (listening.contains(connection.localPort()) && !established.contains(connection)) {
					missing.add(connection);
					if (this.missingBefore.contains(connection) && this.watched.remove(connection) != null) {
						onHangUp.run();
					}
				}
			});
			this.missingBefore = missing;
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("Reading the TCP table failed; hang-ups are noticed at the deadline", ex);
		}
	}

	/**
	 * Lines look like {@code "0: 0100007F:1F90 0100007F:D2A4 01 ..."}: local and remote
	 * address as hex address:port, then the state.
	 */
	private static void read(Path table, Set<Connection> established, Set<Integer> listening) throws IOException {
		List<String> lines = Files.readAllLines(table);
		for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
			String[] fields = line.trim().split("\\s+");
			if (fields.length < 4) {
				continue;
			}
			int localPort = port(fields[1]);
			if (LISTEN.equals(fields[3])) {
				listening.add(localPort);
			}
			else if (ESTABLISHED.equals(fields[3])) {
				established.add(new Connection(localPort, port(fields[2])));
			}
		}
	}

	private static int port(String address) {
		return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
	}

	@Override
	public void close() {
		this.timer.shutdownNow();
	}

	/**
	 * A client's connection, told apart by its two ports (the client's port is unique per
	 * client host, and the rare clash of two hosts on one port only makes a hang-up go
	 * unnoticed).
	 */
	record Connection(int localPort, int remotePort) {

	}

}
