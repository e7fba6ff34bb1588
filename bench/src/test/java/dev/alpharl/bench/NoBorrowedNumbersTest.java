package dev.alpharl.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import ai.djl.ndarray.NDArray;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The bench's share of the trainer's {@code ArchitectureTest} rule (DJL.md §4, pitfall 22): no number is passed to
 * an NDArray op that wraps it in a view of a Java buffer autograd may save; {@code Constant.like} instead. The
 * trainer's test cannot see this module's classes, which depend on it.
 */
class NoBorrowedNumbersTest {

    @Test
    void benchCodeTakesConstantsLibtorchOwns() {
        noClasses()
                .should()
                .callMethod(NDArray.class, "mul", Number.class)
                .orShould()
                .callMethod(NDArray.class, "div", Number.class)
                .orShould()
                .callMethod(NDArray.class, "pow", Number.class)
                .orShould()
                .callMethod(NDArray.class, "maximum", Number.class)
                .orShould()
                .callMethod(NDArray.class, "minimum", Number.class)
                .check(new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.alpharl.bench"));
    }
}
