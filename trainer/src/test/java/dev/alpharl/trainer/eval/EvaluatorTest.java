package dev.alpharl.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.datasets.PromptTemplate;
import dev.alpharl.rewards.Rewards;
import dev.alpharl.trainer.model.ChatTemplate;
import dev.alpharl.trainer.model.QwenTokenizer;
import dev.alpharl.trainer.rollout.Completion;
import dev.alpharl.trainer.rollout.PromptEncoder;
import dev.alpharl.trainer.rollout.RolloutEngine;
import dev.alpharl.trainer.rollout.SamplingParams;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    /**
     * mean@n counts correct samples, pass@n counts prompts with at least one: a scripted engine answers prompt i's
     * k-th sample correctly when k &lt; right[i], so the hand count is Σ right / (P·n) and #{right > 0} / P.
     */
    @Test
    void meanAtNAndPassAtNFromAScriptedEngine() throws Exception {
        TorchRuntime.init();
        int[] right = {0, 1, 4, 0, 2, 3, 0};
        List<PromptSample> prompts = new ArrayList<>();
        for (int i = 0; i < right.length; i++) {
            prompts.add(new PromptSample("p" + i, "What is " + i + "+" + i + "?", Integer.toString(2 * i)));
        }
        try (QwenTokenizer tokenizer =
                        QwenTokenizer.load(Path.of("..", "models", "tiny-qwen").toAbsolutePath());
                NDManager m = NDManager.newBaseManager()) {
            PromptEncoder encoder = new PromptEncoder(PromptTemplate.QUESTION, ChatTemplate.PLAIN, null, tokenizer);
            int n = 4;
            RolloutEngine scripted = new RolloutEngine() {
                @Override
                public List<Completion> generate(
                        List<long[]> rows, SamplingParams params, SplittableRandom rng, NDManager scratch) {
                    throw new AssertionError("the evaluator asks for groups");
                }

                @Override
                public List<Completion> generateGroups(
                        List<long[]> batch, int samples, SamplingParams params, SplittableRandom rng, NDManager s) {
                    List<Completion> out = new ArrayList<>();
                    for (long[] ids : batch) {
                        String text = tokenizer.decode(ids, true);
                        int i = Integer.parseInt(text.substring(8, text.indexOf('+')));
                        for (int k = 0; k < samples; k++) {
                            String answer = Integer.toString(k < right[i] ? 2 * i : 2 * i + 1);
                            out.add(new Completion(
                                    tokenizer.encode(answer),
                                    new float[answer.length()],
                                    Completion.FinishReason.STOP));
                        }
                    }
                    return out;
                }
            };
            SamplingParams sampling = new SamplingParams(8, 1.0, 1.0, 0, Set.of(), tokenizer.padId());
            Evaluator evaluator =
                    new Evaluator(encoder, Rewards.create("math", Map.of("style", "gsm8k")), prompts, sampling, n, 5);
            EvalResult r = evaluator.evaluate(scripted, m);
            assertThat(r.graded()).isEqualTo(right.length * n);
            assertThat(r.correct()).isEqualTo(10);
            assertThat(r.accuracy()).isCloseTo(10.0 / 28, within(1e-12));
            assertThat(r.passAtN()).isCloseTo(4.0 / 7, within(1e-12));
            assertThat(EvalResult.fromMap(r.toMap())).isEqualTo(r);
        }
    }
}
