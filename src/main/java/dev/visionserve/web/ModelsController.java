package dev.visionserve.web;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.visionserve.runtime.ModelRepository;
import dev.visionserve.runtime.UnknownModelException;

/**
 * {@code GET /models}: the model repository as clients see it.
 */
@RestController
@Tag(name = "Models", description = "The models this server holds")
class ModelsController {

	private final ModelRepository repository;

	ModelsController(ModelRepository repository) {
		this.repository = repository;
	}

	@Operation(summary = "List every model with its state, tensors, labels, devices and batching")
	@GetMapping(path = "/models", produces = MediaType.APPLICATION_JSON_VALUE)
	List<ModelDescription> list() {
		return this.repository.statuses().stream().map(ModelDescription::of).toList();
	}

	@Operation(summary = "Describe one model")
	@ApiResponse(responseCode = "200", description = "The model")
	@ApiResponse(responseCode = "404", description = "UNKNOWN_MODEL",
			content = @Content(mediaType = "application/problem+json"))
	@GetMapping(path = "/models/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
	ModelDescription get(@PathVariable String name) {
		return this.repository.statuses()
			.stream()
			.filter((status) -> status.name().equals(name))
			.findFirst()
			.map(ModelDescription::of)
			.orElseThrow(() -> new UnknownModelException(name, "model",
					this.repository.statuses().stream().map((s) -> s.name()).toList()));
	}

}
