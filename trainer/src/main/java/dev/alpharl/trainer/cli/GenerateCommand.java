package dev.alpharl.trainer.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.alpharl.trainer.config.DataConfig;
import dev.alpharl.trainer.io.UserInputException;
import dev.alpharl.trainer.model.BuiltinModels;
import dev.alpharl.trainer.model.ChatTemplate;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.QwenTokenizer;
import dev.alpharl.trainer.rollout.Completion;
import dev.alpharl.trainer.rollout.PromptEncoder;
import dev.alpharl.trainer.rollout.RolloutEngine;
import dev.alpharl.trainer.rollout.SamplingParams;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code generate}: sample completions from a local Hugging Face model directory. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Generate completions from a local Hugging Face Qwen model directory.")
final class GenerateCommand implements Callable<Integer> {

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Hugging Face model directory, or builtin:NAME (e.g. builtin:tiny-qwen).")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptInput input;

    static final class PromptInput {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text (rendered with --template).")
        String text;

        @Option(names = "--prompt-ids", split = ",", paramLabel = "IDS", description = "Prompt token ids, e.g. 1,2,3.")
        long[] ids;
    }

    @Option(
            names = "--template",
            defaultValue = "plain",
            paramLabel = "NAME",
            description =
                    "Chat template for --prompt: plain, chatml, qwen25-math, qwen3, qwen3-no-think (default: ${DEFAULT-VALUE}).")
    String template;

    @Option(names = "--max-new-tokens", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(
            names = "--truncate-prompt",
            defaultValue = "none",
            paramLabel = "none|left",
            description = "A prompt that does not fit the model's max_position_embeddings with --max-new-tokens: "
                    + "none refuses it (default), left keeps its last tokens.")
    DataConfig.Truncation truncate;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "Default: ${DEFAULT-VALUE} (off).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", description = "Default: ${DEFAULT-VALUE} (off).")
    int topK;

    @Option(names = "--n", defaultValue = "1", description = "Completions per prompt (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--logprobs", description = "Also print the log-probability of each generated token.")
    boolean logprobs;

    @Option(names = "--json", description = "One JSON object per completion: completion_ids, logprobs, text.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (n < 1) {
            throw new UserInputException("--n must be >= 1, got " + n);
        }
        ChatTemplate chat = parseTemplate(template);
        Path model = BuiltinModels.resolve(this.model, "--model");
        TorchRuntime.init();
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        if (!java.nio.file.Files.isDirectory(model)) {
            throw new UserInputException(model + ": not a directory (expected a Hugging Face model directory)");
        }
        QwenConfig config = QwenConfig.read(model); // the prompt is checked against it before the weights load
        try (NDManager manager = NDManager.newBaseManager();
                QwenTokenizer tokenizer = QwenTokenizer.load(model)) {
            long[] prompt = input.ids != null ? input.ids : tokenizer.encode(chat.prompt(input.text));
            prompt = fitted(prompt, config, model);
            long vocab = config.vocabSize();
            for (long id : prompt) {
                if (id < 0 || id >= vocab) {
                    throw new UserInputException(
                            "--prompt-ids: id " + id + " is outside the model's vocabulary [0, " + vocab + ")");
                }
            }
            if (prompt.length == 0) {
                throw new UserInputException("the prompt is empty");
            }
            Set<Long> stops = tokenizer.stopIds(chat);
            SamplingParams params;
            try {
                params = new SamplingParams(maxNewTokens, temperature, topP, topK, stops, tokenizer.padId());
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage(), e);
            }
            List<Completion> completions;
            try (QwenModel qwen = HfCheckpoint.load(model, manager)) {
                // the n samples share one prefill of the prompt
                completions = RolloutEngine.local(qwen)
                        .generateGroups(List.of(prompt), n, params, new SplittableRandom(seed), manager);
            }
            for (Completion c : completions) {
                String text = tokenizer.decode(c.tokens(), true);
                if (json) {
                    ObjectNode o = mapper.createObjectNode();
                    o.set("completion_ids", mapper.valueToTree(c.tokens()));
                    o.set("logprobs", mapper.valueToTree(c.logprobs()));
                    o.put("text", text);
                    o.put("finish_reason", c.finish().name().toLowerCase(java.util.Locale.ROOT));
                    out.println(mapper.writeValueAsString(o));
                } else {
                    out.println(text);
                    if (logprobs) {
                        List<String> parts = new ArrayList<>();
                        for (int i = 0; i < c.tokens().length; i++) {
                            parts.add(c.tokens()[i] + ":"
                                    + String.format(java.util.Locale.ROOT, "%.4f", c.logprobs()[i]));
                        }
                        out.println("logprobs " + String.join(" ", parts));
                    }
                }
            }
            out.flush();
        }
        return ExitCodes.OK;
    }

    /**
     * The prompt when it fits the model's max_position_embeddings with --max-new-tokens; its last tokens with
     * --truncate-prompt left; otherwise an error naming its length and the limit.
     */
    private long[] fitted(long[] prompt, QwenConfig config, Path model) {
        int positions = config.maxPositionEmbeddings();
        int fits = positions - maxNewTokens;
        String source = "the model's max_position_embeddings (" + positions + ", " + model.resolve("config.json") + ")";
        if (fits < 1) {
            throw new UserInputException(
                    "--max-new-tokens " + maxNewTokens + " leaves no room for a prompt within " + source);
        }
        if (prompt.length <= fits) {
            return prompt;
        }
        if (truncate == DataConfig.Truncation.LEFT) {
            return PromptEncoder.keepLast(prompt, fits);
        }
        throw new UserInputException((input.ids != null ? "--prompt-ids" : "--prompt") + ": the prompt has "
                + prompt.length + " tokens, more than the " + fits + " that fit " + source + " with --max-new-tokens "
                + maxNewTokens + "; --truncate-prompt left keeps its last " + fits + " tokens");
    }

    private static ChatTemplate parseTemplate(String name) {
        try {
            return ChatTemplate.named(name);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--template: " + e.getMessage(), e);
        }
    }
}
