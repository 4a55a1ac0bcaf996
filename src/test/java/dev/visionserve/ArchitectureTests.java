package dev.visionserve;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Keeps the package dependencies one-way, as drawn in docs/architecture.md.
 */
class ArchitectureTests {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.visionserve");

	@Test
	void packagesDependOneWay() {
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("system")
			.definedBy("dev.visionserve.system..")
			.layer("web")
			.definedBy("dev.visionserve.web..")
			.layer("classify")
			.definedBy("dev.visionserve.classify..")
			.layer("generate")
			.definedBy("dev.visionserve.generate..")
			.layer("image")
			.definedBy("dev.visionserve.image..")
			.layer("metrics")
			.definedBy("dev.visionserve.metrics..")
			.layer("runtime")
			.definedBy("dev.visionserve.runtime..")
			.layer("batching")
			.definedBy("dev.visionserve.batching..")
			.whereLayer("system")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("web")
			.mayOnlyBeAccessedByLayers("system")
			.whereLayer("classify")
			.mayOnlyBeAccessedByLayers("web", "system")
			.whereLayer("generate")
			.mayOnlyBeAccessedByLayers("web", "system")
			.whereLayer("image")
			.mayOnlyBeAccessedByLayers("classify", "generate", "web", "system")
			.whereLayer("metrics")
			.mayOnlyBeAccessedByLayers("classify", "generate", "web", "system")
			.whereLayer("runtime")
			.mayOnlyBeAccessedByLayers("classify", "generate", "web", "system")
			.whereLayer("batching")
			.mayOnlyBeAccessedByLayers("runtime", "classify", "generate", "web", "system")
			.check(this.classes);
	}

	@Test
	void batchingKnowsNothingOfSpringOrOnnxRuntime() {
		noClasses().that()
			.resideInAPackage("dev.visionserve.batching..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "ai.onnxruntime..", "jakarta.servlet..")
			.check(this.classes);
	}

	@Test
	void runtimeKnowsNothingOfHttp() {
		noClasses().that()
			.resideInAPackage("dev.visionserve.runtime..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.web..", "org.springframework.http..", "jakarta.servlet..")
			.check(this.classes);
	}

}
