package dev.alpharl.trainer.config;

import static dev.alpharl.trainer.config.ConfigLoaderTest.REQUIRED;
import static dev.alpharl.trainer.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** model.lora and model.adapter: how they bind, and the one-line errors of what they refuse. */
class LoraConfigTest {

    @Test
    void loraIsOffByDefaultAndBindsPeftsFields() {
        assertThat(parse(REQUIRED).model().usesLora()).isFalse();
        TrainConfig c = parse(
                REQUIRED,
                "--model.lora.r=16",
                "--model.lora.alpha=32",
                "--model.lora.dropout=0.05",
                "--model.lora.target-modules=q_proj,v_proj",
                "--model.lora.use-rslora=true",
                "--model.lora.rank-pattern.q_proj=4",
                "--model.lora.alpha-pattern.v_proj=8");
        LoraConfig lora = c.model().lora();
        assertThat(c.model().usesLora()).isTrue();
        assertThat(lora.r()).isEqualTo(16);
        assertThat(lora.alpha()).isEqualTo(32.0);
        assertThat(lora.dropout()).isEqualTo(0.05);
        assertThat(lora.targetModules()).containsExactly("q_proj", "v_proj");
        assertThat(lora.rslora()).isTrue();
        assertThat(lora.ranks()).isEqualTo(Map.of("q_proj", 4));
        assertThat(lora.alphas()).isEqualTo(Map.of("v_proj", 8.0));
        assertThat(parse(REQUIRED, "--model.adapter=some/dir").model().usesLora())
                .isTrue();
        assertThat(parse("model:\n  path: m\n  lora: {r: 8, target-modules: [q_proj, up_proj]}\n"
                                + "data:\n  train: {path: t}\n")
                        .model()
                        .lora()
                        .targetModules())
                .isEqualTo(List.of("q_proj", "up_proj"));
    }

    @Test
    void alphaRlWithLoraNeedsTheAlphaRlMethodAndAStopAfterTheJump() {
        // AlphaRL in adapter space with the defaults (method alpharl, after-jump stop) is accepted
        assertThat(parse(REQUIRED, "--model.lora.r=8", "--alpharl.window=4")
                        .alpharl()
                        .window())
                .isEqualTo(4);
        assertThatThrownBy(() -> parse(REQUIRED, "--model.lora.r=8", "--alpharl.window=4", "--alpharl.method=relex"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alpharl.window > 0 with LoRA (model.lora.r > 0 or model.adapter)")
                .hasMessageContaining("alpharl.method: alpharl");
        assertThatThrownBy(() ->
                        parse(REQUIRED, "--model.adapter=a", "--alpharl.window=4", "--alpharl.after-jump=continue"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alpharl.after-jump: stop");
    }

    @Test
    void badLoraValuesAreOneLineErrors() {
        assertThatThrownBy(() -> parse(REQUIRED, "--model.lora.r=8", "--model.adapter=a"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("model.lora and model.adapter are both set");
        assertThatThrownBy(() -> parse(REQUIRED, "--model.lora.alpha=8", "--model.adapter=a"))
                .hasMessageContaining("model.lora and model.adapter are both set");
        assertThat(parse(REQUIRED, "--model.lora.dropout=0.1", "--model.adapter=a")
                        .model()
                        .lora()
                        .dropout())
                .isEqualTo(0.1);
        assertThatThrownBy(() -> parse(REQUIRED, "--model.lora.target-modules-regex=(q_proj"))
                .hasMessageContaining("model.lora.target-modules-regex holds an invalid regular expression");
        assertThatThrownBy(() -> parse(
                        REQUIRED, "--model.lora.target-modules=q_proj", "--model.lora.target-modules-regex=.*q_proj"))
                .hasMessageContaining("model.lora.target-modules-regex and target-modules");
        assertThatThrownBy(() -> parse(REQUIRED, "--model.lora.rank-pattern.q_proj=0"))
                .hasMessageContaining("model.lora.rank-pattern entry q_proj must be a positive integer rank, got 0");
        assertThatThrownBy(() -> parse(REQUIRED, "--model.lora.alpha-pattern.q_proj=big"))
                .hasMessageContaining("model.lora.alpha-pattern entry q_proj must be a number >= 0");
        assertThatThrownBy(() -> parse(REQUIRED, "--model.lora.dropout=1"))
                .hasMessageContaining("model.lora.dropout must be between 0 and 0.999");
    }
}
