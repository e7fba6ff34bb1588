package dev.alpharl.trainer.rl;

import dev.alpharl.datasets.PromptSample;
import dev.alpharl.trainer.config.ConfigException;
import dev.alpharl.trainer.config.DataConfig;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.rollout.PromptEncoder;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * How many prompt tokens fit the model: a prompt and its completion (rollout.max-new-tokens) must fit the model's
 * max_position_embeddings (config.json), the positions its rotary embeddings were trained on. Checked when a run
 * starts: data.max-prompt-tokens against it (training prompts longer than that are dropped), and every eval and
 * validation prompt (not dropped, so refused or, with data.truncate-prompts: left, cut to their last tokens).
 *
 * @param fits            max_position_embeddings − rollout.max-new-tokens
 * @param maxPromptTokens data.max-prompt-tokens, or {@code fits} when it is 0
 */
record PromptBudget(int fits, int maxPromptTokens, int positions, Path modelConfig) {

    private static final Logger LOG = LogManager.getLogger(PromptBudget.class);

    /** The budget of {@code config} on the model in {@code modelDir}; a ConfigException when they do not fit. */
    static PromptBudget of(TrainConfig config, Path modelDir) {
        Path file = modelDir.resolve("config.json");
        int positions = QwenConfig.read(modelDir).maxPositionEmbeddings();
        int maxNew = config.rollout().maxNewTokens();
        int fits = positions - maxNew;
        if (fits < 1) {
            throw new ConfigException("rollout.max-new-tokens = " + maxNew + " leaves no room for a prompt: the "
                    + "model's max_position_embeddings is " + positions + " (" + file + ")");
        }
        int maxPrompt = config.data().maxPromptTokens();
        if (maxPrompt > fits) {
            throw new ConfigException("data.max-prompt-tokens (" + maxPrompt + ") + rollout.max-new-tokens (" + maxNew
                    + ") = " + (maxPrompt + maxNew) + " is more than the model's max_position_embeddings (" + positions
                    + ", " + file + "): lower data.max-prompt-tokens to at most " + fits
                    + " (0: as many as fit) or rollout.max-new-tokens");
        }
        return new PromptBudget(fits, maxPrompt == 0 ? fits : maxPrompt, positions, file);
    }

    /**
     * Checks that every prompt of {@code key} (data.eval, data.validation) fits: with data.truncate-prompts: none a
     * longer one is a ConfigException naming it and its length; with left it is logged and the encoder cuts it.
     */
    void check(List<PromptSample> prompts, String key, PromptEncoder encoder, TrainConfig config) {
        PromptSample first = null;
        int firstLength = 0, longer = 0;
        for (PromptSample p : prompts) {
            int length = encoder.tokenizer().encode(encoder.render(p)).length;
            if (length > fits) {
                if (first == null) {
                    first = p;
                    firstLength = length;
                }
                longer++;
            }
        }
        if (longer == 0) {
            return;
        }
        String others = longer > 1 ? " (and " + (longer - 1) + " more of its " + prompts.size() + " prompts)" : "";
        if (config.data().truncatePrompts() == DataConfig.Truncation.NONE) {
            throw new ConfigException(key + ": prompt '" + first.id() + "'" + others + " has " + firstLength
                    + " tokens, more than the " + fits + " that fit the model's max_position_embeddings (" + positions
                    + ", " + modelConfig + ") with rollout.max-new-tokens = "
                    + config.rollout().maxNewTokens()
                    + "; set data.truncate-prompts: left to keep the last " + fits + " tokens of such prompts, or "
                    + "lower rollout.max-new-tokens");
        }
        LOG.warn(
                "{}: {} of {} prompts are longer than the {} tokens that fit max_position_embeddings {} with "
                        + "rollout.max-new-tokens = {}; their last {} tokens are kept (data.truncate-prompts: left)",
                key,
                longer,
                prompts.size(),
                fits,
                positions,
                config.rollout().maxNewTokens(),
                fits);
    }
}
