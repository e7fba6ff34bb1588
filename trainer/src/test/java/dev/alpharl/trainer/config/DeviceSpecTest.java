package dev.alpharl.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.trainer.config.DeviceSpec.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceSpecTest {

    @Test
    void parsesEveryFormAndTheGpuAliases() {
        assertThat(DeviceSpec.parse("auto")).isEqualTo(new DeviceSpec(Kind.AUTO, 0));
        assertThat(DeviceSpec.parse("cpu")).isEqualTo(new DeviceSpec(Kind.CPU, 0));
        assertThat(DeviceSpec.parse("cuda")).isEqualTo(new DeviceSpec(Kind.CUDA, 0));
        assertThat(DeviceSpec.parse("cuda:3")).isEqualTo(new DeviceSpec(Kind.CUDA, 3));
        assertThat(DeviceSpec.parse("gpu")).isEqualTo(DeviceSpec.parse("cuda"));
        assertThat(DeviceSpec.parse("gpu:1")).isEqualTo(DeviceSpec.parse("cuda:1"));
        assertThat(DeviceSpec.parse("gpu:1")).hasToString("cuda:1");
    }

    @Test
    void rejectsOtherForms() {
        for (String bad : List.of("", "CUDA", "cuda:", "cuda:-1", "cuda:x", "cuda0", "tpu", "cpu:0", "mps", " cpu")) {
            assertThatThrownBy(() -> DeviceSpec.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("must be one of auto|cpu|cuda|cuda:N (gpu, gpu:N: aliases), got \"" + bad + "\"");
        }
    }

    @Test
    void autoTakesTheFirstCudaDeviceOnlyWhenOneIsVisible() {
        assertThat(DeviceSpec.parse("auto").cudaIndex(0)).isEqualTo(-1);
        assertThat(DeviceSpec.parse("auto").cudaIndex(2)).isEqualTo(0);
        assertThat(DeviceSpec.parse("cpu").cudaIndex(2)).isEqualTo(-1);
        assertThat(DeviceSpec.parse("cuda:1").cudaIndex(2)).isEqualTo(1);
    }

    @Test
    void aMissingCudaDeviceIsAnErrorNamingTheKey() {
        assertThatThrownBy(() -> DeviceSpec.parse("cuda:2").cudaIndex(2))
                .isInstanceOf(ConfigException.class)
                .hasMessage("model.device: cuda:2 requested but libtorch sees 2 CUDA device(s)");
        assertThatThrownBy(() -> DeviceSpec.parse("gpu").cudaIndex(0))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("model.device: cuda:0 requested but libtorch sees 0 CUDA device(s) "
                        + "(trainer.jar bundles the CPU libtorch; point PYTORCH_LIBRARY_PATH at a CUDA build");
    }

    @Test
    void aBadDeviceInAConfigNamesTheKeyAndLine() {
        String yaml = "model:\n  path: m\n  device: cuda:one\ndata:\n  train: {path: t}\n";
        assertThatThrownBy(() -> ConfigLoader.parse(TrainConfig.class, yaml, "c.yaml", List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("c.yaml:3: model.device must be one of auto|cpu|cuda|cuda:N (gpu, gpu:N: aliases), "
                        + "got \"cuda:one\"");
        TrainConfig ok = ConfigLoader.parse(TrainConfig.class, yaml, "c.yaml", List.of("--model.device=gpu:1"));
        assertThat(ok.model().deviceSpec()).isEqualTo(new DeviceSpec(Kind.CUDA, 1));
    }
}
