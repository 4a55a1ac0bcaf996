package dev.visionserve.web;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import org.springframework.boot.test.context.SpringBootTest;

import dev.visionserve.support.BrowserIntegrationTests;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The playground's "Edit an image" card in headless Chromium against the real server and
 * the shipped models: each of the four modes from an uploaded Fashion-MNIST image to the
 * before/after view (a mask painted with the pointer for inpainting, the client-side
 * shrink for upscaling, client-side noise for denoising, the strength slider for
 * restyling), "Check it" with the classifier, and a refusal shown with the service's
 * detail; and Swagger UI's file inputs for the four operations. Few steps, so that each
 * test takes seconds. Same Chromium, driver and screenshots as
 * {@link PlaygroundBrowserIntegrationTests}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PlaygroundEditingBrowserIntegrationTests extends BrowserIntegrationTests {

	/** A sneaker (class 7) from the Fashion-MNIST test set. */
	private static final String SNEAKER = "0009_7.png";

	/**
	 * Reads the images given as arguments into grey levels (red channel; the images are
	 * grey) at their natural size; each canvas is same-origin, so reading is allowed.
	 */
	private static final String READ_PIXELS = """
			const read = (image) => {
				const canvas = document.createElement('canvas');
				canvas.width = image.naturalWidth || image.width;
				canvas.height = image.naturalHeight || image.height;
				const context = canvas.getContext('2d');
				context.drawImage(image, 0, 0);
				const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
				return {width: canvas.width, height: canvas.height,
					grey: Array.from({length: rgba.length / 4}, (v, i) => rgba[i * 4]),
					alpha: Array.from({length: rgba.length / 4}, (v, i) => rgba[i * 4 + 3])};
			};
			""";

	@Test
	void inpaintsTheAreaPaintedWithThePointerAndKeepsEveryOtherPixel() throws IOException {
		openEditing("inpaint");
		upload(fixture(SNEAKER));
		WebElement canvas = this.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("mask-canvas")));
		assertThat(script("return [arguments[0].width, arguments[0].height]", canvas)).asList()
			.as("the mask has the image's size")
			.containsExactly(28L, 28L);
		assertThat(canvas.getAttribute("data-filled")).isEqualTo("0");
		driver.findElement(By.id("mask-centre-button")).click();
		assertThat(canvas.getAttribute("data-filled")).as("the centre 14x14").isEqualTo("196");
		driver.findElement(By.id("mask-clear-button")).click();
		assertThat(canvas.getAttribute("data-filled")).isEqualTo("0");

		// A horizontal stroke across the middle, from a quarter to three quarters of the
		// width (offsets are from the canvas's centre).
		int half = canvas.getRect().getWidth() / 2;
		new Actions(driver).moveToElement(canvas, -half / 2, 0)
			.clickAndHold()
			.moveByOffset(half / 2, 0)
			.moveByOffset(half / 2, 0)
			.release()
			.perform();
		int filled = Integer.parseInt(canvas.getAttribute("data-filled"));
		assertThat(filled).as("the stroke, about 14 pixels long and the brush wide").isBetween(28, 28 * 8);
		assertThat(text("edit-status")).isEqualTo("Mask: " + filled + " of 784 pixels to fill.");

		type("edit-steps-input", "5");
		type("edit-seed-input", "7");
		type("jump-length-input", "1");
		type("resample-count-input", "1");
		run();
		WebElement after = awaitAfterImage();
		assertThat(text("edit-after-caption")).contains("5 steps", "seed 7");
		assertThat(text("edit-status")).startsWith("Done: fashion-ddpm, seed 7.");

		// What the service promises, seen in the page: outside the painted mask, the
		// after
		// image equals the before image pixel for pixel.
		@SuppressWarnings("unchecked")
		Map<String, Object> compared = (Map<String, Object>) script(
				READ_PIXELS
						+ """
								const [before, after, mask] = [read(arguments[0]), read(arguments[1]), read(arguments[2])];
								let kept = 0, changedOutside = 0, fill = 0;
								mask.alpha.forEach((a, i) => {
									if (a > 0) { fill++; } else if (before.grey[i] === after.grey[i]) { kept++; } else { changedOutside++; }
								});
								return {kept, changedOutside, fill};
								""",
				driver.findElement(By.id("edit-before-image")), after, canvas);
		assertThat(compared).containsEntry("changedOutside", 0L)
			.containsEntry("kept", 784L - filled)
			.containsEntry("fill", (long) filled);

		assertThat(naturalWidth(driver.findElement(By.id("edit-before-image")))).isEqualTo(28);
		assertBeforeAndAfterSideBySideAtTheSameScale();

		fullPageScreenshot("playground-editing-desktop", 1280);
		assertFitsAPhone();
		fullPageScreenshot("playground-editing-phone", 375);
	}

	@Test
	void upscalesTheImageShrunkInThePageAndStaysConsistentWithIt() throws IOException {
		openEditing("upscale");
		upload(fixture(SNEAKER));
		WebElement before = driver.findElement(By.id("edit-before-image"));
		driver.findElement(By.id("factor-4")).click();
		this.wait.until((d) -> naturalWidth(before) == 7);
		assertThat(text("edit-before-caption")).isEqualTo("Before: 7×7 (shrunk from 28×28)");
		driver.findElement(By.id("factor-2")).click();
		this.wait.until((d) -> naturalWidth(before) == 14);
		assertThat(naturalHeight(before)).isEqualTo(14);
		assertThat(text("edit-before-caption")).isEqualTo("Before: 14×14 (shrunk from 28×28)");
		assertThat(text("factor-hint")).contains("28×28", "14×14", "7×7");

		// The page shrinks by box averaging: the 14x14 equals the mean of each 2x2 block.
		@SuppressWarnings("unchecked")
		Map<String, Object> shrink = (Map<String, Object>) script(READ_PIXELS + """
				const [small, large] = [read(arguments[0]), read(arguments[1])];
				let worst = 0;
				small.grey.forEach((v, i) => {
					const x = i % 14, y = Math.floor(i / 14);
					const at = (dx, dy) => large.grey[(2 * y + dy) * 28 + 2 * x + dx];
					worst = Math.max(worst, Math.abs(v - Math.round((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4)));
				});
				return {worst};
				""", before, sneakerImage());
		assertThat(shrink).containsEntry("worst", 0L);

		type("edit-steps-input", "5");
		type("edit-seed-input", "11");
		run();
		WebElement after = awaitAfterImage();
		// The service's promise, seen in the page: box-downsampling the 28x28 answer by 2
		// gives the 14x14 before back (max one grey level).
		@SuppressWarnings("unchecked")
		Map<String, Object> consistency = (Map<String, Object>) script(READ_PIXELS + """
				const [small, large] = [read(arguments[0]), read(arguments[1])];
				let worst = 0;
				small.grey.forEach((v, i) => {
					const x = i % 14, y = Math.floor(i / 14);
					const at = (dx, dy) => large.grey[(2 * y + dy) * 28 + 2 * x + dx];
					worst = Math.max(worst, Math.abs(v - (at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4));
				});
				return {worst: Math.ceil(worst)};
				""", before, after);
		assertThat((Long) consistency.get("worst")).isLessThanOrEqualTo(1L);
		assertBeforeAndAfterSideBySideAtTheSameScale();
	}

	@Test
	void denoisesNoiseAddedInThePageAndChecksTheResultWithTheClassifier() throws IOException {
		openEditing("denoise");
		upload(fixture(SNEAKER));
		WebElement before = driver.findElement(By.id("edit-before-image"));
		type("sigma-input", "50");
		type("edit-seed-input", "3");
		String noisy = addNoise(before);
		assertThat(text("edit-before-caption")).isEqualTo("Before: noise σ 50 added (seed 3)");
		// Seeded: another seed gives other noise, the same seed the same noisy image.
		type("edit-seed-input", "4");
		assertThat(addNoise(before)).isNotEqualTo(noisy);
		type("edit-seed-input", "3");
		assertThat(addNoise(before)).isEqualTo(noisy);
		@SuppressWarnings("unchecked")
		Map<String, Object> noise = (Map<String, Object>) script(READ_PIXELS + """
				const [noisy, clean] = [read(arguments[0]), read(arguments[1])];
				const d = noisy.grey.map((v, i) => v - clean.grey[i]);
				return {rms: Math.round(Math.sqrt(d.reduce((s, x) => s + x * x, 0) / d.length))};
				""", before, sneakerImage());
		assertThat((Long) noise.get("rms")).as("σ 50, less where 0 and 255 clip it").isBetween(30L, 55L);

		new Select(driver.findElement(By.id("method-select"))).selectByValue("posterior-mean");
		run();
		awaitAfterImage();
		assertThat(text("edit-status")).contains("Noise level σ", "(estimated)");
		assertThat(text("edit-after-caption")).contains("σ", "(estimated)");
		assertBeforeAndAfterSideBySideAtTheSameScale();

		this.wait.until(ExpectedConditions.elementToBeClickable(By.id("edit-check-button"))).click();
		this.wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#edit-check-result li"), 5));
		assertThat(text("edit-check-status")).startsWith("fashion-resnet sees ");
		assertThat(driver.findElements(By.cssSelector("#edit-check-result li")))
			.allSatisfy((item) -> assertThat(item.getText()).containsPattern("\\d+\\.\\d%"));
	}

	@Test
	void restylesTowardsTheTargetClassWithTheChosenStrength() throws IOException {
		openEditing("restyle");
		upload(fixture(SNEAKER));
		assertThat(text("edit-label-label")).isEqualTo("Target class");
		assertThat(text("strength-output")).isEqualTo("0.60");
		WebElement strength = driver.findElement(By.id("strength-input"));
		script("arguments[0].value = '0.8'; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))", strength);
		assertThat(text("strength-output")).isEqualTo("0.80");
		new Select(driver.findElement(By.id("edit-label-select"))).selectByVisibleText("Bag");
		type("edit-steps-input", "10");
		type("edit-seed-input", "5");
		run();
		awaitAfterImage();
		assertThat(text("edit-after-caption")).contains("seed 5");
		assertBeforeAndAfterSideBySideAtTheSameScale();
		this.wait.until(ExpectedConditions.elementToBeClickable(By.id("edit-check-button"))).click();
		this.wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#edit-check-result li"), 5));
		assertThat(text("edit-check-status")).containsPattern("(matches the class asked for|not the Bag asked for)");
	}

	@Test
	void showsTheServicesDetailWhenItRefusesTheImage(@TempDir Path folder) throws IOException {
		Path tenByTen = folder.resolve("ten.png");
		ImageIO.write(new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY), "png", tenByTen.toFile());
		openEditing("upscale");
		upload(tenByTen);
		WebElement before = driver.findElement(By.id("edit-before-image"));
		this.wait.until((d) -> naturalWidth(before) == 10);
		assertThat(text("edit-before-caption")).as("smaller than 14x14: sent as it is").isEqualTo("Before: 10×10");
		run();
		this.wait.until((d) -> text("edit-status").endsWith(")") && !text("edit-status").endsWith("…"));
		assertThat(text("edit-status")).contains("10x10").endsWith("(INVALID_PARAMETER)");
		assertThat(driver.findElement(By.id("edit-after")).isDisplayed()).isFalse();
		assertThat(driver.findElement(By.id("edit-check-button")).isEnabled()).isFalse();
		assertThat(driver.findElement(By.id("edit-button")).isEnabled()).as("ready for another try").isTrue();
	}

	@Test
	void refusesToInpaintWithoutAMaskBeforeAskingTheService() {
		openEditing("inpaint");
		upload(fixture(SNEAKER));
		run();
		assertThat(text("edit-status")).isEqualTo("Paint the area to fill first (or pick Centre or Bottom half).");
		assertThat(driver.findElement(By.id("edit-progress-text")).getText()).isEqualTo("Not started");
	}

	@Test
	void swaggerUiOffersFileInputsForTheFourEditingOperations() throws IOException {
		viewport(1100, 1400, false);
		driver.get(url("/swagger-ui/index.html"));
		Map<String, Integer> files = Map.of("/inpaint", 2, "/super-resolution", 1, "/denoise", 1, "/img2img", 1);
		for (Map.Entry<String, Integer> operation : files.entrySet()) {
			WebElement block = this.wait.until(ExpectedConditions.visibilityOfElementLocated(By.xpath(
					"//div[contains(@class,'opblock-post')][.//*[contains(@class,'opblock-summary-path')][@data-path='"
							+ operation.getKey() + "']]")));
			script("arguments[0].scrollIntoView({block: 'start'})", block);
			block.findElement(By.cssSelector(".opblock-summary-control")).click();
			WebElement tryOut = this.wait.until((d) -> block.findElement(By.cssSelector(".try-out__btn")));
			if (tryOut.getText().trim().equalsIgnoreCase("Try it out")) {
				tryOut.click();
			}
			// The same paths also take JSON; the file parts are the multipart form's.
			new Select(
					this.wait.until((d) -> block.findElement(By.cssSelector(".opblock-section-request-body select"))))
				.selectByValue("multipart/form-data");
			this.wait.until((d) -> !block.findElements(By.cssSelector("input[type=file]")).isEmpty());
			assertThat(block.findElements(By.cssSelector("input[type=file]"))).as(operation.getKey())
				.hasSize(operation.getValue());
			assertThat(
					block.findElements(By.xpath(".//tr[.//*[normalize-space(text())='image']]//input[@type='file']")))
				.as(operation.getKey())
				.hasSize(1);
		}
		assertThat(driver.findElements(By.xpath("//div[contains(@class,'opblock-post')][.//*[@data-path='/inpaint']]"
				+ "//tr[.//*[normalize-space(text())='mask']]//input[@type='file']")))
			.hasSize(1);
	}

	private void openEditing(String mode) {
		openPlayground();
		this.wait.until(ExpectedConditions
			.presenceOfElementLocated(By.cssSelector("#edit-label-select option[value='Sneaker']")));
		driver.findElement(By.id("mode-" + mode)).click();
		assertThat(driver.findElements(By.cssSelector(".mode-fields"))).filteredOn(WebElement::isDisplayed)
			.extracting((fields) -> fields.getAttribute("data-mode"))
			.containsExactly(mode);
	}

	private void upload(Path image) {
		driver.findElement(By.id("edit-file-input")).sendKeys(image.toString());
		this.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("edit-before-image")));
		this.wait.until(ExpectedConditions.elementToBeClickable(By.id("edit-button")));
	}

	private void run() {
		driver.findElement(By.id("edit-button")).click();
	}

	/**
	 * Waits for the after image to show, decoded, at the model's 28x28.
	 */
	private WebElement awaitAfterImage() {
		WebElement after = driver.findElement(By.id("edit-after-image"));
		this.wait.until((d) -> after.isDisplayed() && loaded(after) || text("edit-status").endsWith(")"));
		assertThat(after.isDisplayed()).as("after image; status: %s", text("edit-status")).isTrue();
		assertThat(List.of(naturalWidth(after), naturalHeight(after))).containsExactly(28L, 28L);
		return after;
	}

	/**
	 * The before and after images are shown next to each other in boxes of the same size.
	 */
	private static void assertBeforeAndAfterSideBySideAtTheSameScale() {
		WebElement before = driver.findElement(By.id("edit-before-image"));
		WebElement after = driver.findElement(By.id("edit-after-image"));
		assertThat(before.isDisplayed()).isTrue();
		assertThat(after.isDisplayed()).isTrue();
		assertThat(after.getRect().getDimension()).isEqualTo(before.getRect().getDimension());
		assertThat(after.getRect().getWidth()).isGreaterThanOrEqualTo(112);
		assertThat(after.getRect().getY()).isEqualTo(before.getRect().getY());
		assertThat(after.getRect().getX()).isGreaterThan(before.getRect().getX());
		assertThat(script("return getComputedStyle(arguments[0]).imageRendering", after)).isEqualTo("pixelated");
	}

	/**
	 * An image element with the original sneaker, to compare with in the page.
	 */
	private WebElement sneakerImage() throws IOException {
		String base64 = Base64.getEncoder().encodeToString(Files.readAllBytes(fixture(SNEAKER)));
		WebElement image = (WebElement) script("""
				const image = document.createElement('img');
				image.id = 'test-original';
				image.hidden = true;
				image.src = 'data:image/png;base64,' + arguments[0];
				document.body.append(image);
				return image;
				""", base64);
		this.wait.until((d) -> loaded(image));
		return image;
	}

	/**
	 * Clicks "Add noise" and waits for the new before image.
	 * @return its grey levels
	 */
	private String addNoise(WebElement before) {
		String previous = before.getAttribute("src");
		driver.findElement(By.id("add-noise-button")).click();
		this.wait.until((d) -> !previous.equals(before.getAttribute("src")) && loaded(before));
		assertThat(naturalWidth(before)).isEqualTo(28);
		return String.valueOf(script(READ_PIXELS + "return read(arguments[0]).grey.join(',')", before));
	}

	private static boolean loaded(WebElement image) {
		return Boolean.TRUE.equals(script("return arguments[0].complete && arguments[0].naturalWidth > 0", image));
	}

	private static String text(String id) {
		return driver.findElement(By.id(id)).getText();
	}

}
