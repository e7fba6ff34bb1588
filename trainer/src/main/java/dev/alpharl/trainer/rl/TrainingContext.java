package dev.alpharl.trainer.rl;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.alpharl.datasets.MaxPromptLength;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.datasets.PromptTemplate;
import dev.alpharl.datasets.source.DatasetSpec;
import dev.alpharl.rewards.RewardFunction;
import dev.alpharl.rewards.Rewards;
import dev.alpharl.trainer.config.ConfigException;
import dev.alpharl.trainer.config.DataConfig;
import dev.alpharl.trainer.config.ModelConfig;
import dev.alpharl.trainer.config.RewardSpec;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.model.BuiltinModels;
import dev.alpharl.trainer.model.ChatTemplate;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.QwenTokenizer;
import dev.alpharl.trainer.rollout.PromptEncoder;
import dev.alpharl.trainer.rollout.SamplingParams;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What every command that trains or evaluates needs from a config, loaded and checked before any work starts so
 * that bad input fails fast with a clear message: the device, the tokenizer and prompt encoding, the datasets
 * (prompts longer than data.max-prompt-tokens dropped and counted), and the reward function.
 */
public final class TrainingContext implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(TrainingContext.class);

    private final TrainConfig config;
    private final Path modelDir;
    private final NDManager manager;
    private final QwenTokenizer tokenizer;
    private final PromptEncoder encoder;
    private final List<PromptSample> train;
    private final List<PromptSample> eval;
    private final List<PromptSample> validation;
    private final RewardFunction reward;

    private TrainingContext(
            TrainConfig config,
            Path modelDir,
            NDManager manager,
            QwenTokenizer tokenizer,
            PromptEncoder encoder,
            List<PromptSample> train,
            List<PromptSample> eval,
            List<PromptSample> validation,
            RewardFunction reward) {
        this.config = config;
        this.modelDir = modelDir;
        this.manager = manager;
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.train = train;
        this.eval = eval;
        this.validation = validation;
        this.reward = reward;
    }

    /** Loads and validates everything but the model weights. */
    public static TrainingContext open(TrainConfig config) {
        Path modelDir = BuiltinModels.resolve(config.model().path(), "model.path");
        if (!Files.isDirectory(modelDir)) {
            throw new ConfigException("model.path: " + modelDir + " is not a directory (expected a Hugging Face model "
                    + "directory with config.json, weights and tokenizer files)");
        }
        PromptBudget budget = PromptBudget.of(config, modelDir); // prompt + max-new-tokens fit the model's positions
        TorchRuntime.init();
        QwenTokenizer tokenizer = QwenTokenizer.load(modelDir);
        ChatTemplate chat = ChatTemplate.named(config.data().chatTemplate());
        PromptEncoder encoder = new PromptEncoder(
                PromptTemplate.parse(config.data().promptTemplate()),
                chat,
                config.data().systemPrompt(),
                tokenizer,
                config.data().truncatePrompts() == DataConfig.Truncation.LEFT ? budget.fits() : 0);
        Path cwd = Path.of("").toAbsolutePath();
        List<PromptSample> train = DatasetSpec.load(config.data().train(), cwd, "data.train");
        MaxPromptLength.Result kept = MaxPromptLength.filter(
                train,
                question -> tokenizer.encode(encoder.render(new PromptSample("", question, ""))).length,
                budget.maxPromptTokens());
        if (kept.dropped() > 0) {
            LOG.warn(
                    "data.train: dropped {} of {} prompts longer than data.max-prompt-tokens = {}",
                    kept.dropped(),
                    train.size(),
                    budget.maxPromptTokens());
        }
        if (kept.kept().isEmpty()) {
            throw new ConfigException(
                    "data.train: no prompt is within data.max-prompt-tokens = " + budget.maxPromptTokens());
        }
        List<PromptSample> eval = List.of();
        if (config.data().eval() != null && !config.data().eval().isEmpty()) {
            eval = DatasetSpec.load(config.data().eval(), cwd, "data.eval");
            if (config.data().evalLimit() > 0 && eval.size() > config.data().evalLimit()) {
                eval = eval.subList(0, config.data().evalLimit());
            }
        }
        List<PromptSample> validation = validationSet(config, cwd);
        budget.check(eval, "data.eval", encoder, config);
        budget.check(validation, "data.validation", encoder, config);
        RewardFunction reward = rewardOf(config.rewards());
        NDManager manager = NDManager.newBaseManager(device(config.model()));
        LOG.info(
                "data: {} train prompts, {} eval prompts; chat template {}, prompt template {}",
                kept.kept().size(),
                eval.size(),
                chat.id(),
                config.data().promptTemplate());
        return new TrainingContext(
                config, modelDir, manager, tokenizer, encoder, kept.kept(), eval, validation, reward);
    }

    private static List<PromptSample> validationSet(TrainConfig config, Path cwd) {
        Map<String, String> spec = config.data().validation();
        boolean given = spec != null && !spec.isEmpty();
        if (config.alpharl().enabled() && config.alpharl().validate() && !given) {
            throw new ConfigException("alpharl.validate: true needs data.validation, prompts kept apart from data.eval "
                    + "to choose among the jump's candidates on");
        }
        if (!given) {
            return List.of();
        }
        if (spec.equals(config.data().eval())) {
            throw new ConfigException("data.validation: is the same source as data.eval; a choice made on the eval "
                    + "set would make its reported accuracy optimistic: use other prompts (another seed or split)");
        }
        return DatasetSpec.load(spec, cwd, "data.validation");
    }

    private static RewardFunction rewardOf(List<RewardSpec> specs) {
        if (specs.isEmpty()) {
            throw new ConfigException("rewards: at least one reward function is needed (e.g. - name: math)");
        }
        List<Map<String, Object>> maps = new ArrayList<>();
        for (RewardSpec s : specs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("weight", s.weight());
            m.put("options", s.options() == null ? Map.of() : new LinkedHashMap<>(s.options()));
            maps.add(m);
        }
        try {
            return Rewards.compose(maps);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** The device named by model.device (see {@link dev.alpharl.trainer.config.DeviceSpec}). */
    static Device device(ModelConfig model) {
        int cuda = model.deviceSpec().cudaIndex(TorchRuntime.init().getGpuCount());
        return cuda < 0 ? Device.cpu() : Device.gpu(cuda);
    }

    /**
     * Loads the model directory's weights onto the context's device, with the configured compute precision (or
     * initialises them randomly from its config.json when model.random-init is set).
     */
    public QwenModel loadModel(Path dir) {
        return config.model().randomInit()
                ? QwenModel.random(
                        dev.alpharl.trainer.model.QwenConfig.read(dir),
                        config.run().seed(),
                        ai.djl.ndarray.types.DataType.FLOAT32,
                        manager,
                        precision())
                : HfCheckpoint.load(dir, manager, precision());
    }

    /**
     * Loads the trained weights of {@code dir} (a model to evaluate) onto the context's device with the configured
     * precision, whatever model.random-init says: that key is about where a run starts, not about this directory.
     */
    public QwenModel loadWeights(Path dir) {
        return HfCheckpoint.load(dir, manager, precision());
    }

    /** How the configured model.dtype computes: fp32, or bf16 linear layers over fp32 master weights. */
    public QwenModel.Precision precision() {
        return config.model().dtype() == ModelConfig.DType.FLOAT32
                ? QwenModel.Precision.FP32
                : QwenModel.Precision.BF16;
    }

    /**
     * The config's evaluation — its eval set at rollout.eval-temperature with {@code n} samples per prompt (null:
     * rollout.eval-n) and a sampling seed fixed by run.seed — or null when the config has no eval set.
     */
    public dev.alpharl.trainer.eval.Evaluator evaluator(Integer n) {
        return evaluatorOn(eval, n != null ? n : config.rollout().evalN(), 0x5EEDL);
    }

    /** The eval set's sampling on data.validation, or null when there is none. */
    public dev.alpharl.trainer.eval.Evaluator validator() {
        return evaluatorOn(validation, config.rollout().evalN(), 0x5A11DL);
    }

    /** The eval sampling on {@code prompts} with a seed of its own, or null when there are none. */
    private dev.alpharl.trainer.eval.Evaluator evaluatorOn(List<PromptSample> prompts, int n, long salt) {
        if (prompts.isEmpty()) {
            return null;
        }
        return new dev.alpharl.trainer.eval.Evaluator(
                encoder,
                reward,
                prompts,
                evalSampling(),
                n,
                dev.alpharl.datasets.SplitMix64.mix(config.run().seed() ^ salt));
    }

    /** Rollout sampling as configured, stopping on the tokenizer's and the chat template's end ids. */
    public SamplingParams rolloutSampling() {
        var r = config.rollout();
        return new SamplingParams(r.maxNewTokens(), r.temperature(), r.topP(), r.topK(), stopIds(), tokenizer.padId());
    }

    /** Evaluation sampling: eval-temperature, no top-p/top-k truncation beyond the rollout's. */
    public SamplingParams evalSampling() {
        var r = config.rollout();
        return new SamplingParams(
                r.maxNewTokens(), r.evalTemperature(), r.topP(), r.topK(), stopIds(), tokenizer.padId());
    }

    private java.util.Set<Long> stopIds() {
        return tokenizer.stopIds(encoder.chatTemplate());
    }

    public TrainConfig config() {
        return config;
    }

    /** model.path as a directory: a builtin:NAME model is extracted from trainer.jar (see {@link BuiltinModels}). */
    public Path modelDir() {
        return modelDir;
    }

    public NDManager manager() {
        return manager;
    }

    public QwenTokenizer tokenizer() {
        return tokenizer;
    }

    public PromptEncoder encoder() {
        return encoder;
    }

    public List<PromptSample> train() {
        return train;
    }

    public List<PromptSample> eval() {
        return eval;
    }

    public RewardFunction reward() {
        return reward;
    }

    @Override
    public void close() {
        tokenizer.close();
        manager.close();
    }
}
