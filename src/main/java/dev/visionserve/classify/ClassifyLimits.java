package dev.visionserve.classify;

/**
 * Limits that keep one request from exhausting the service.
 *
 * @param maxImagesPerRequest images in one request
 * @param maxImagePixels decoded width × height of one image, checked from the header
 * before decoding
 * @param maxBodyBytes bytes of a raw image body (multipart bodies are limited by
 * {@code spring.servlet.multipart.*})
 */
public record ClassifyLimits(int maxImagesPerRequest, long maxImagePixels, long maxBodyBytes) {

}
