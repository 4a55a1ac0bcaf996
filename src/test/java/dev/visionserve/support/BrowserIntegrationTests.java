package dev.visionserve.support;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the browser tests: one headless Chromium per test class
 * ({@link HeadlessChromium}, started before the first test and quit after the last), a
 * desktop viewport and a wait before each test, a screenshot of the end of each test in
 * {@code target/screenshots}, and the helpers the tests share. Test classes run one after
 * the other, so the static driver belongs to one class at a time.
 */
public abstract class BrowserIntegrationTests extends ServerIntegrationTests {

	protected static final Path SCREENSHOTS = Path.of("target", "screenshots");

	protected static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static HeadlessChromium browser;

	protected static ChromeDriver driver;

	protected WebDriverWait wait;

	@BeforeAll
	static void startBrowser() throws IOException {
		browser = HeadlessChromium.start();
		driver = browser.driver();
		Files.createDirectories(SCREENSHOTS);
	}

	@AfterAll
	static void stopBrowser() throws IOException {
		if (browser != null) {
			browser.close();
			browser = null;
			driver = null;
		}
	}

	@BeforeEach
	void desktop() {
		this.wait = new WebDriverWait(driver, TIMEOUT);
		viewport(1280, 900, false);
	}

	@AfterEach
	void screenshotTheEnd(TestInfo test) throws IOException {
		screenshot(test.getTestMethod().orElseThrow().getName());
	}

	/**
	 * Opens the playground and waits until both model lists are filled (the page loads
	 * them after it shows).
	 */
	protected void openPlayground() {
		driver.get(url("/"));
		this.wait.until(ExpectedConditions
			.presenceOfElementLocated(By.cssSelector("#classifier-select option[value='fashion-resnet']")));
		this.wait.until(
				ExpectedConditions.presenceOfElementLocated(By.cssSelector("#label-select option[value='Sneaker']")));
	}

	protected static void type(String id, String text) {
		WebElement input = driver.findElement(By.id(id));
		input.clear();
		input.sendKeys(text);
	}

	protected static Object script(String script, Object... arguments) {
		return ((JavascriptExecutor) driver).executeScript(script, arguments);
	}

	protected static long naturalWidth(WebElement image) {
		return (Long) script("return arguments[0].naturalWidth", image);
	}

	protected static long naturalHeight(WebElement image) {
		return (Long) script("return arguments[0].naturalHeight", image);
	}

	/**
	 * Sets the layout viewport through the DevTools protocol, independent of the window.
	 */
	protected static void viewport(int width, int height, boolean mobile) {
		driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
				Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
	}

	/**
	 * Asserts that the page fits a phone's width without scrolling sideways.
	 */
	protected static void assertFitsAPhone() {
		viewport(375, 812, true);
		assertThat(script("return document.documentElement.clientWidth")).isEqualTo(375L);
		assertThat((Long) script("return document.documentElement.scrollWidth"))
			.as("the page fits a 375px phone without scrolling sideways")
			.isLessThanOrEqualTo(375L);
	}

	protected static void fullPageScreenshot(String name, int width) throws IOException {
		script("window.scrollTo(0, 0)");
		long height = (Long) script("return document.documentElement.scrollHeight");
		viewport(width, (int) Math.min(height, 4000), width < 600);
		screenshot(name);
	}

	protected static void screenshot(String name) throws IOException {
		Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
	}

	protected String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	/**
	 * @return the absolute path of a Fashion-MNIST test image, for a file input
	 */
	protected static Path fixture(String name) {
		try {
			return Path.of(BrowserIntegrationTests.class.getResource("/fashion-mnist/" + name).toURI())
				.toAbsolutePath();
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
