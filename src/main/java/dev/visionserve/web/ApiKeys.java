package dev.visionserve.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The API keys a client may present, kept only as SHA-256 digests. A candidate is hashed
 * and compared with every digest in constant time ({@link MessageDigest#isEqual}), so
 * neither the time to answer nor an early exit tells an attacker how much of a key was
 * right, how long it is, or which key came close. Immutable and thread-safe; built once
 * at startup (a changed keys file takes effect on restart).
 */
public final class ApiKeys {

	private static final ApiKeys NONE = new ApiKeys(List.of());

	private final List<byte[]> digests;

	private ApiKeys(List<byte[]> digests) {
		this.digests = digests;
	}

	/**
	 * @param keys the keys; blank entries are ignored, surrounding white space is not
	 * part of a key
	 * @return the keys, or none (authentication off) when every entry is blank
	 */
	public static ApiKeys of(Collection<String> keys) {
		List<byte[]> digests = new ArrayList<>();
		for (String key : keys) {
			if (key != null && !key.isBlank()) {
				digests.add(sha256(key.strip()));
			}
		}
		return digests.isEmpty() ? NONE : new ApiKeys(List.copyOf(digests));
	}

	/**
	 * Reads one key per line (a Kubernetes Secret mounted as a file); blank lines and
	 * lines starting with {@code #} are skipped.
	 * @param file the keys file
	 * @return the keys in it, in order
	 * @throws IllegalStateException when the file cannot be read or holds no key: a
	 * configured file that yields nothing must not turn authentication off
	 */
	public static List<String> read(Path file) {
		List<String> keys = new ArrayList<>();
		try {
			for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
				String key = line.strip();
				if (!key.isEmpty() && !key.startsWith("#")) {
					keys.add(key);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the API keys file " + file, ex);
		}
		if (keys.isEmpty()) {
			throw new IllegalStateException("The API keys file " + file + " holds no key");
		}
		return keys;
	}

	/**
	 * @return whether any key is configured, i.e. requests must present one
	 */
	public boolean enabled() {
		return !this.digests.isEmpty();
	}

	public int size() {
		return this.digests.size();
	}

	/**
	 * @param candidate what the client sent (may be {@code null})
	 * @return whether it is one of the keys; every key is compared, whatever the outcome
	 */
	public boolean matches(String candidate) {
		if (candidate == null) {
			return false;
		}
		byte[] digest = sha256(candidate);
		boolean found = false;
		for (byte[] key : this.digests) {
			found |= MessageDigest.isEqual(key, digest);
		}
		return found;
	}

	private static byte[] sha256(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			// Every Java platform must provide SHA-256.
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public String toString() {
		// Never the keys, not even their digests.
		return "ApiKeys[" + this.digests.size() + "]";
	}

}
