package dev.alpharl.datasets.synthetic;

import java.util.Map;

/**
 * One generated problem.
 *
 * @param canonical a normal form identifying the problem (equal problems have equal canonical forms); decides the
 *                  split and removes duplicates
 * @param prompt    the question text
 * @param answer    the gold answer
 * @param fields    extra values for reward functions
 */
public record Problem(String canonical, String prompt, String answer, Map<String, Object> fields) {}
