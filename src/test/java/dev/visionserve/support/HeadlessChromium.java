package dev.visionserve.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's Chromium, headless, driven by Debian's ChromeDriver with a fresh profile, for
 * the browser tests. Fails (never skips) when either program is missing. One per test
 * class; {@link #close()} quits it and deletes the profile.
 */
public final class HeadlessChromium implements AutoCloseable {

	private static final Path CHROMEDRIVER = Path
		.of(System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver"));

	private static final Path CHROMIUM = Path.of(System.getProperty("visionserve.test.chromium", "/usr/bin/chromium"));

	private final Path profile;

	private final ChromeDriver driver;

	private HeadlessChromium(Path profile, ChromeDriver driver) {
		this.profile = profile;
		this.driver = driver;
	}

	public static HeadlessChromium start() throws IOException {
		assertThat(CHROMIUM)
			.as("Chromium is missing at %s: install the Debian packages chromium and chromium-driver "
					+ "(.ci/run does) to run the browser tests", CHROMIUM)
			.isExecutable();
		assertThat(CHROMEDRIVER)
			.as("ChromeDriver is missing at %s: install the Debian packages chromium and "
					+ "chromium-driver (.ci/run does) to run the browser tests", CHROMEDRIVER)
			.isExecutable();
		// An explicit driver executable means Selenium Manager is never asked to find or
		// download one.
		System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
		Path profile = Files.createTempDirectory("visionserve-chromium");
		ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
			.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
					"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
					"--disable-sync", "--hide-scrollbars", "--window-size=1280,900", "--user-data-dir=" + profile);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		return new HeadlessChromium(profile, new ChromeDriver(service, options));
	}

	public ChromeDriver driver() {
		return this.driver;
	}

	@Override
	public void close() throws IOException {
		this.driver.quit();
		try (Stream<Path> files = Files.walk(this.profile)) {
			files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
	}

}
