package dev.visionserve.web;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.BrowserIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser side, in a real headless Chromium driven by Selenium: Swagger UI's "Try it
 * out" on {@code /classify}, and the playground at {@code /} classifying an upload and
 * generating with live progress. Uses Debian's {@code chromium} and
 * {@code chromium-driver} at fixed paths, so nothing is downloaded; without them the
 * tests fail (CI installs them in {@code .ci/run}). Screenshots go to
 * {@code target/screenshots} ({@link BrowserIntegrationTests}); the ones in
 * {@code docs/screenshots} are copies of these.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PlaygroundBrowserIntegrationTests extends BrowserIntegrationTests {

	@Test
	void swaggerUiTriesClassifyWithAnUploadedFile() throws IOException {
		viewport(1100, 1400, false);
		driver.get(url("/swagger-ui/index.html"));
		WebElement operation = this.wait
			.until(ExpectedConditions.visibilityOfElementLocated(By.id("operations-Classification-classifyUpload")));
		operation.findElement(By.cssSelector(".opblock-summary-control")).click();
		WebElement tryOut = this.wait.until(ExpectedConditions
			.elementToBeClickable(By.cssSelector("#" + operation.getAttribute("id") + " .try-out__btn")));
		// springdoc's try-it-out-enabled opens the operation in try-out mode already;
		// then the button says Cancel.
		if (tryOut.getText().trim().equalsIgnoreCase("Try it out")) {
			tryOut.click();
		}
		// The image part is an array of files: add one item, then choose its file.
		List<WebElement> addItem = operation.findElements(By.cssSelector(".json-schema-form-item-add"));
		if (operation.findElements(By.cssSelector("input[type=file]")).isEmpty() && !addItem.isEmpty()) {
			addItem.get(0).click();
		}
		WebElement file = this.wait.until((d) -> operation.findElement(By.cssSelector("input[type=file]")));
		file.sendKeys(fixture("0009_7.png").toString());
		operation.findElement(By.cssSelector("button.execute")).click();
		WebElement status = this.wait.until(ExpectedConditions
			.visibilityOfElementLocated(By.cssSelector(".live-responses-table .response .response-col_status")));
		assertThat(status.getText().trim()).isEqualTo("200");
		String body = operation.findElement(By.cssSelector(".live-responses-table .response-col_description pre"))
			.getText();
		assertThat(body).contains("\"model\": \"fashion-resnet\"").contains("\"label\": \"Sneaker\"");
		script("arguments[0].scrollIntoView({block: 'start'})", operation);
		screenshot("swagger-ui");
	}

	@Test
	void playgroundClassifiesAnUploadedImage() throws IOException {
		openPlayground();
		driver.findElement(By.id("file-input")).sendKeys(fixture("0009_7.png").toString());
		this.wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#predictions li"), 5));
		List<WebElement> bars = driver.findElements(By.cssSelector("#predictions li"));
		assertThat(bars.get(0).getAttribute("data-label")).isEqualTo("Sneaker");
		assertThat(bars.get(0).getText()).contains("Sneaker").containsPattern("\\d+\\.\\d%");
		double previous = Double.MAX_VALUE;
		for (WebElement bar : bars) {
			double width = bar.findElement(By.cssSelector(".bar-fill")).getRect().getWidth();
			assertThat(width).isLessThanOrEqualTo(previous);
			previous = width;
		}
		assertThat(bars.get(0).findElement(By.cssSelector(".bar-fill")).getRect().getWidth())
			.isGreaterThan(5 * bars.get(1).findElement(By.cssSelector(".bar-fill")).getRect().getWidth());
		assertThat(driver.findElement(By.id("classify-status")).getText()).startsWith("fashion-resnet: Sneaker");
		assertThat(this.http.metric("visionserve_requests_total", "endpoint", "classify", "outcome", "success"))
			.isPositive();
	}

	@Test
	void playgroundClassifiesADroppedImage() throws IOException {
		openPlayground();
		script("""
				const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
				const data = new DataTransfer();
				data.items.add(new File([bytes], 'dropped.png', {type: 'image/png'}));
				document.getElementById('drop-zone')
					.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
				""", Base64.getEncoder().encodeToString(Files.readAllBytes(fixture("0000_9.png"))));
		this.wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#predictions li"), 5));
		assertThat(driver.findElement(By.cssSelector("#predictions li")).getAttribute("data-label"))
			.isEqualTo("Ankle boot");
		assertThat(naturalWidth(driver.findElement(By.id("input-image")))).isEqualTo(28);
	}

	@Test
	void playgroundGeneratesWithLiveProgressAndChecksTheResult() throws IOException {
		openPlayground();
		// An upload first, only so that the screenshot shows both halves at work.
		driver.findElement(By.id("file-input")).sendKeys(fixture("0009_7.png").toString());
		this.wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#predictions li"), 5));
		new Select(driver.findElement(By.id("label-select"))).selectByVisibleText("Sneaker");
		new Select(driver.findElement(By.id("sampler-select"))).selectByValue("ddim");
		type("steps-input", "10");
		type("guidance-input", "2");
		type("seed-input", "7");
		type("preview-every-input", "2");
		// Records every value the progress bar takes (a mutation's old value, then the
		// last), to tell step-by-step progress from a jump to the end.
		script("""
				window.progressSeen = [];
				new MutationObserver((records) => records.forEach((r) => window.progressSeen.push(Number(r.oldValue))))
					.observe(document.getElementById('progress'),
						{attributes: true, attributeOldValue: true, attributeFilter: ['value']});
				""");
		driver.findElement(By.id("generate-button")).click();
		this.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("result-image")));
		WebElement progress = driver.findElement(By.id("progress"));
		assertThat(progress.getDomProperty("value")).isEqualTo("10");
		assertThat(progress.getDomProperty("max")).isEqualTo("10");
		assertThat(driver.findElement(By.id("progress-text")).getText()).contains("Step 10 / 10", "100%");
		assertThat(script("return window.progressSeen.concat([document.getElementById('progress').value])"
				+ ".filter((v) => v > 0)"))
			.asList()
			.containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
		List<WebElement> previews = driver.findElements(By.cssSelector("#previews img"));
		assertThat(previews).hasSize(4);
		assertThat(previews.get(0).getAttribute("alt")).isEqualTo("Predicted image at step 2");
		assertThat(naturalWidth(previews.get(0))).isEqualTo(28);
		WebElement result = driver.findElement(By.id("result-image"));
		assertThat(naturalWidth(result)).isEqualTo(28);
		assertThat(result.getRect().getWidth()).isGreaterThanOrEqualTo(112);
		assertThat(driver.findElement(By.id("result-caption")).getText()).contains("Sneaker", "ddim", "10 steps",
				"seed 7");

		WebElement check = this.wait.until(ExpectedConditions.elementToBeClickable(By.id("check-button")));
		check.click();
		this.wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#check-result li"), 5));
		assertThat(driver.findElement(By.cssSelector("#check-result li")).getAttribute("data-label"))
			.isEqualTo("Sneaker");
		assertThat(driver.findElement(By.id("check-status")).getText()).contains("fashion-resnet sees Sneaker",
				"matches");

		fullPageScreenshot("playground-desktop", 1280);
		assertFitsAPhone();
		fullPageScreenshot("playground-phone", 375);
	}

	@Override
	protected void openPlayground() {
		super.openPlayground();
		assertThat(driver.findElement(By.id("swagger-link")).getAttribute("href")).isEqualTo(url("/swagger-ui.html"));
		assertThat(driver.findElement(By.id("metrics-link")).getAttribute("href"))
			.isEqualTo(url("/actuator/prometheus"));
	}

}
