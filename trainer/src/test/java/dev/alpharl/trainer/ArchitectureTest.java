package dev.alpharl.trainer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.alpharl.algorithms.Constant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of docs/ARCHITECTURE.md, checked on the compiled main classes of every module: packages form
 * no cycle (a subpackage is a package of its own, so a parent and its subpackage may not import each other), and
 * the RL loop depends only on what lies below it.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.alpharl");
    }

    @Test
    void everyModuleIsChecked() {
        // the other modules come as jars in a full build and as class folders otherwise: both must be seen
        for (String pkg : List.of(
                "dev.alpharl.algorithms", "dev.alpharl.rewards", "dev.alpharl.datasets", "dev.alpharl.trainer.rl")) {
            assertThat(classes.containPackage(pkg)).as(pkg).isTrue();
        }
    }

    @Test
    void packagesFormNoCycles() {
        slices().matching("dev.alpharl.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theLoopDependsOnNeitherAlphaRlNorTheApplicationLayerNorReports() {
        noClasses()
                .that()
                .resideInAPackage("dev.alpharl.trainer.rl..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.alpharl.trainer.alpharl..",
                        "dev.alpharl.trainer.app..",
                        "dev.alpharl.trainer.cli..",
                        "dev.alpharl.trainer.report..")
                .check(classes);
    }

    @Test
    void everyModuleBelowTheTrainerKnowsNothingOfIt() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.alpharl.algorithms..", "dev.alpharl.rewards..", "dev.alpharl.datasets..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.alpharl.trainer..")
                .check(classes);
    }

    @Test
    void noNumberIsWrappedInABorrowedBufferWhereAutogradCouldSaveIt() {
        // DJL.md §4, pitfall 22: these overloads wrap the number in a view of a Java buffer that is freed while the
        // graph may still read it; dev.alpharl.algorithms.Constant makes the number libtorch's own
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(Constant.class.getName())
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
                .orShould()
                .callMethod(NDArray.class, "muli", Number.class)
                .orShould()
                .callMethod(NDArray.class, "divi", Number.class)
                .orShould()
                .callMethod(NDArray.class, "powi", Number.class)
                .orShould()
                .callMethod(NDArray.class, "cbrt")
                .check(classes);
    }
}
