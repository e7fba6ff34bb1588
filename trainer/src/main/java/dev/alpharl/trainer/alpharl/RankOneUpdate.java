package dev.alpharl.trainer.alpharl;

/**
 * The predicted rank-1 term of one matrix: â (d_out, the PLS prediction of σ1·u1), a_k = σ1(k)·u1(k) and
 * v_k = v1(k) of the window's last snapshot, sign-aligned together.
 */
public record RankOneUpdate(double[] predicted, double[] lastA, double[] lastV) {}
