package dev.alpharl.trainer.config;

/** Where a config value came from, as shown in error messages: "configs/tiny-grpo.yaml:12", "--rollout.top-p=2". */
public record Origin(String where) {
    public static final Origin DEFAULT = new Origin("default");

    static Origin line(String source, int line) {
        return new Origin(source + ":" + line);
    }

    @Override
    public String toString() {
        return where;
    }
}
