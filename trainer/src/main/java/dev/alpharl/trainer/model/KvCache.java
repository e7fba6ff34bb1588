package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A preallocated key/value cache for generation: per layer K and V of shape [B, n_kv, S_max, d] holding post-RoPE
 * keys. A forward over T new tokens writes slots [P, P+T) and attends over slots [0, P+T); nothing is copied or
 * concatenated as the sequence grows.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final long capacity;
    private final long batch;
    private long length;

    private KvCache(NDManager manager, NDArray[] keys, NDArray[] values, long capacity, long batch, long length) {
        this.manager = manager;
        this.keys = keys;
        this.values = values;
        this.capacity = capacity;
        this.batch = batch;
        this.length = length;
    }

    /**
     * A cache of {@code times}·B rows in which rows {@code r·times .. r·times + times − 1} hold copies of this cache's
     * row r (its filled slots and the same length): the G samples of one prompt continue from one prefill.
     */
    public KvCache repeatRows(int times, NDManager parent) {
        long[] source = new long[Math.toIntExact(batch * times)];
        for (int r = 0; r < source.length; r++) {
            source[r] = r / times;
        }
        return selectRows(source, parent);
    }

    /** A cache whose row i is a copy of this cache's row {@code source[i]} (same slots, same length). */
    public KvCache selectRows(long[] source, NDManager parent) {
        NDManager own = parent.newSubManager();
        NDArray rows = own.create(source);
        NDArray[] k = new NDArray[keys.length];
        NDArray[] v = new NDArray[values.length];
        for (int i = 0; i < keys.length; i++) {
            k[i] = keys[i].get(rows);
            v[i] = values[i].get(rows);
            k[i].attach(own);
            v[i].attach(own);
        }
        return new KvCache(own, k, v, capacity, source.length, length);
    }

    /** Rows (B). */
    public long batch() {
        return batch;
    }

    public KvCache(QwenConfig config, long batch, long capacity, DataType dtype, NDManager parent) {
        this.manager = parent.newSubManager();
        this.capacity = capacity;
        this.batch = batch;
        Shape shape = new Shape(batch, config.numKvHeads(), capacity, config.headDim());
        keys = new NDArray[config.numLayers()];
        values = new NDArray[config.numLayers()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = manager.zeros(shape, dtype);
            values[i] = manager.zeros(shape, dtype);
        }
    }

    /** Slots already filled (P). */
    public long length() {
        return length;
    }

    public long capacity() {
        return capacity;
    }

    /**
     * Stores k, v [B, n_kv, T, d] at slots [past, past+T) of {@code layer} and returns views of K and V over slots
     * [0, past+T), owned by k's manager.
     */
    NDArray[] write(int layer, NDArray k, NDArray v, long past) {
        long t = k.getShape().get(2);
        if (past + t > capacity) {
            throw new IllegalStateException(
                    "KV cache full: " + past + " + " + t + " tokens exceed its capacity " + capacity);
        }
        NDIndex slots = new NDIndex(":, :, {}:{}", past, past + t);
        keys[layer].set(slots, k);
        values[layer].set(slots, v);
        NDIndex filled = new NDIndex(":, :, :{}", past + t);
        NDArray kAll = keys[layer].get(filled);
        NDArray vAll = values[layer].get(filled);
        kAll.attach(k.getManager());
        vAll.attach(k.getManager());
        return new NDArray[] {kAll, vAll};
    }

    void advance(long t) {
        length += t;
    }

    @Override
    public void close() {
        manager.close();
    }
}
