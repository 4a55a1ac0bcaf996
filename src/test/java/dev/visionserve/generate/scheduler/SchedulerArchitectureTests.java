package dev.visionserve.generate.scheduler;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/**
 * The samplers are plain mathematics: no Spring, no ONNX Runtime, no other VisionServe
 * package, so the engine can be tested and replaced around them.
 */
class SchedulerArchitectureTests {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.visionserve.generate.scheduler");

	@Test
	void schedulersDependOnTheJdkAlone() {
		classes().should()
			.onlyDependOnClassesThat()
			.resideInAnyPackage("java..", "dev.visionserve.generate.scheduler..")
			.check(this.classes);
	}

}
