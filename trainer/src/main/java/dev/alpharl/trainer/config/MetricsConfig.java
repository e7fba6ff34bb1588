package dev.alpharl.trainer.config;

/**
 * @param prometheusPort serve Prometheus metrics on this port (0: off)
 * @param logEvery       log a metrics line to the console every N steps (metrics.jsonl gets every step)
 */
public record MetricsConfig(
        @Default("0") @Range(min = 0, max = 65535) int prometheusPort,
        @Default("1") @Range(min = 1) int logEvery) {}
