package dev.visionserve.web;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.HeadlessChromium;
import dev.visionserve.support.ServerIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The playground in headless Chromium against a server that requires an API key: the page
 * loads without one, asks for it when the API answers 401, says so when the key is wrong,
 * and works once given the right one, for classifying and for editing. Same Chromium and
 * driver as {@link PlaygroundBrowserIntegrationTests}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "visionserve.security.api-keys=" + PlaygroundApiKeyBrowserIntegrationTests.KEY)
class PlaygroundApiKeyBrowserIntegrationTests extends ServerIntegrationTests {

	static final String KEY = "playground-key-51c9";

	private static ChromeDriver driver;

	private static HeadlessChromium browser;

	@BeforeAll
	static void startBrowser() throws IOException {
		browser = HeadlessChromium.start();
		driver = browser.driver();
	}

	@AfterAll
	static void stopBrowser() throws IOException {
		if (browser != null) {
			browser.close();
		}
	}

	@Test
	void asksForTheKeyAndClassifiesAndEditsOnceGivenTheRightOne() throws Exception {
		WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
		driver.get("http://localhost:" + this.port + "/");
		WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key-form")));
		WebElement status = driver.findElement(By.id("models-status"));
		wait.until(ExpectedConditions.textToBePresentInElement(status, "API key is required"));
		assertThat(driver.findElements(By.cssSelector("#classifier-select option"))).isEmpty();

		driver.findElement(By.id("api-key-input")).sendKeys("not-the-key");
		driver.findElement(By.id("api-key-button")).click();
		wait.until(ExpectedConditions.textToBePresentInElement(status, "not valid"));
		assertThat(form.isDisplayed()).isTrue();

		driver.findElement(By.id("api-key-input")).sendKeys(KEY);
		driver.findElement(By.id("api-key-button")).click();
		wait.until(ExpectedConditions.invisibilityOf(form));
		wait.until((d) -> !d.findElements(By.cssSelector("#classifier-select option")).isEmpty());
		driver.findElement(By.id("file-input")).sendKeys(fixture("0009_7.png").toString());
		wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#predictions li"), 5));
		assertThat(driver.findElement(By.cssSelector("#predictions li")).getAttribute("data-label"))
			.isEqualTo("Sneaker");
		// The editing card's calls carry the key too.
		driver.findElement(By.id("mode-upscale")).click();
		driver.findElement(By.id("edit-file-input")).sendKeys(fixture("0009_7.png").toString());
		wait.until(ExpectedConditions.elementToBeClickable(By.id("edit-button")));
		driver.findElement(By.id("edit-steps-input")).clear();
		driver.findElement(By.id("edit-steps-input")).sendKeys("5");
		driver.findElement(By.id("edit-button")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("edit-status"), "Done: fashion-ddpm"));
		assertThat(driver.findElement(By.id("edit-after-image")).isDisplayed()).isTrue();
		// The key stays in the page's tab, never in the address or a cookie.
		assertThat(driver.getCurrentUrl()).doesNotContain(KEY);
		assertThat(driver.manage().getCookies()).isEmpty();
	}

	private static Path fixture(String name) throws URISyntaxException {
		return Path.of(PlaygroundApiKeyBrowserIntegrationTests.class.getResource("/fashion-mnist/" + name).toURI());
	}

}
