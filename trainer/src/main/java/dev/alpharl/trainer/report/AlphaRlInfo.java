package dev.alpharl.trainer.report;

/** What an accelerated run's summary.json says about its acceleration: method, window end and target step. */
public record AlphaRlInfo(String method, int window, int targetStep) {}
