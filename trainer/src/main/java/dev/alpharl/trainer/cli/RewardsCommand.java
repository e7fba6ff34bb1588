package dev.alpharl.trainer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.rewards.RewardFunction;
import dev.alpharl.rewards.RewardResult;
import dev.alpharl.rewards.Rewards;
import dev.alpharl.trainer.io.UserInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rewards}: score JSONL records ({"completion", "answer", ...}) with a reward function; one JSON line out per line in. */
@Command(
        name = "rewards",
        mixinStandardHelpOptions = true,
        description =
                "Score {\"completion\",\"answer\",...} JSONL lines with a reward; prints one JSON object with \"score\" per line.")
final class RewardsCommand implements Callable<Integer> {

    @Option(
            names = "--reward",
            required = true,
            paramLabel = "NAME",
            description = "math, format, countdown, overlong.")
    String reward;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSONL file of records to score.")
    Path input;

    @Option(
            names = "--option",
            paramLabel = "KEY=VALUE",
            description = "Reward option, repeatable (e.g. --option style=gsm8k).")
    Map<String, String> options = new LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        RewardFunction fn;
        try {
            fn = Rewards.create(reward, new LinkedHashMap<>(options));
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--reward " + reward + ": " + e.getMessage(), e);
        }
        ObjectMapper json = new ObjectMapper();
        PrintWriter out = spec.commandLine().getOut();
        try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> record;
                try {
                    record = json.readValue(line, new TypeReference<Map<String, Object>>() {});
                } catch (JsonProcessingException e) {
                    throw new UserInputException(
                            input + ", line " + lineNo + ": expected a JSON object (" + e.getOriginalMessage() + ")");
                }
                if (!(record.get("completion") instanceof String)) {
                    throw new UserInputException(
                            input + ", line " + lineNo + ": expected a string field \"completion\"");
                }
                RewardResult result = Rewards.scoreRecord(fn, record);
                out.println(json.writeValueAsString(result.toMap()));
            }
        } catch (NoSuchFileException e) {
            throw new UserInputException("--input: no such file " + input);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
