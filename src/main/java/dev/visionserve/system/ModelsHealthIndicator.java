package dev.visionserve.system;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.visionserve.runtime.ModelRepository;
import dev.visionserve.runtime.ModelStatus;

/**
 * The {@code models} health component, part of the readiness group: UP only when every
 * model of the repository is loaded and warm (and the default classifier is among them);
 * details give each model's state and, for a failed one, the reason.
 */
class ModelsHealthIndicator implements HealthIndicator {

	private final ModelRepository repository;

	private final List<String> defaultModels;

	ModelsHealthIndicator(ModelRepository repository, List<String> defaultModels) {
		this.repository = repository;
		this.defaultModels = List.copyOf(defaultModels);
	}

	@Override
	public Health health() {
		Map<String, Object> models = new LinkedHashMap<>();
		for (ModelStatus status : this.repository.statuses()) {
			Map<String, Object> detail = new LinkedHashMap<>();
			detail.put("state", status.state().name());
			if (status.reason() != null) {
				detail.put("reason", status.reason());
			}
			if (status.model() != null) {
				detail.put("kind", status.model().config().kind());
				detail.put("devices", status.model().sessions().stream().map((s) -> s.device().toString()).toList());
			}
			models.put(status.name(), detail);
		}
		Health.Builder health = this.repository.allReady() ? Health.up() : Health.down();
		// No repository path: health bodies are public and must not show the server's
		// file layout (the log has it).
		health.withDetail("models", models);
		if (this.repository.problem() != null) {
			health.withDetail("problem", this.repository.problem());
		}
		List<String> missing = this.defaultModels.stream().filter((name) -> !this.repository.contains(name)).toList();
		if (this.repository.loadingFinished() && !missing.isEmpty()) {
			health.down().withDetail("missingDefaultModels", missing);
		}
		return health.build();
	}

}
