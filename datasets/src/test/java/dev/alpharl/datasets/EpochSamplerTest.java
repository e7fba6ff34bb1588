package dev.alpharl.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EpochSamplerTest {

    private static final int N = 37;

    static List<PromptSample> dataset(int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> new PromptSample("s" + i, "q" + i, Integer.toString(i)))
                .toList();
    }

    static List<String> ids(List<PromptSample> samples) {
        return samples.stream().map(PromptSample::id).toList();
    }

    @Test
    void everySampleAppearsExactlyOncePerEpoch() {
        EpochSampler sampler = new EpochSampler(dataset(N), 7);
        List<String> stream = new ArrayList<>();
        while (stream.size() < 4 * N) {
            stream.addAll(ids(sampler.next(5))); // batches straddle epoch boundaries
        }
        for (int e = 0; e < 4; e++) {
            List<String> epoch = stream.subList(e * N, (e + 1) * N);
            assertThat(new HashSet<>(epoch)).hasSize(N).isEqualTo(new HashSet<>(ids(dataset(N))));
        }
        assertThat(stream.subList(0, N)).isNotEqualTo(stream.subList(N, 2 * N)); // a new order each epoch
        assertThat(stream.subList(0, N)).isNotEqualTo(ids(dataset(N))); // actually shuffled
    }

    @Test
    void sameSeedGivesTheSameOrderAndDifferentSeedsDiffer() {
        List<String> a = ids(new EpochSampler(dataset(N), 42).next(3 * N));
        List<String> b = ids(new EpochSampler(dataset(N), 42).next(3 * N));
        List<String> c = ids(new EpochSampler(dataset(N), 43).next(3 * N));
        assertThat(a).isEqualTo(b);
        assertThat(c).isNotEqualTo(a);
        assertThat(c.subList(0, N)).isNotEqualTo(a.subList(0, N));
    }

    @Test
    void restoredCursorReproducesTheContinuationAcrossAnEpochBoundary() throws Exception {
        EpochSampler original = new EpochSampler(dataset(N), 1234);
        original.next(30);
        EpochSampler.Cursor saved = original.cursor();
        assertThat(saved.epoch()).isZero();
        assertThat(saved.position()).isEqualTo(30);
        List<String> continuation = ids(original.next(2 * N + 11)); // crosses two epoch boundaries

        // save as JSON, read back as a generic map (Integer values), as a checkpoint reader would
        ObjectMapper json = new ObjectMapper();
        String text = json.writeValueAsString(saved);
        Map<String, Object> parsed = json.readValue(text, new TypeReference<Map<String, Object>>() {});
        EpochSampler.Cursor restored = EpochSampler.Cursor.fromMap(parsed);
        assertThat(restored).isEqualTo(saved);
        assertThat(json.readValue(text, EpochSampler.Cursor.class)).isEqualTo(saved);

        EpochSampler resumed = new EpochSampler(dataset(N), 1234);
        resumed.next(5); // wherever it stood, restore puts it at the saved cursor
        resumed.restore(restored);
        assertThat(ids(resumed.next(2 * N + 11))).isEqualTo(continuation);
        assertThat(resumed.cursor()).isEqualTo(original.cursor());
    }

    @Test
    void restoringAtAnEpochStartInALaterEpochMatches() {
        EpochSampler a = new EpochSampler(dataset(N), 5);
        a.next(3 * N);
        EpochSampler.Cursor c = a.cursor();
        assertThat(c.epoch()).isEqualTo(3);
        assertThat(c.position()).isZero();
        EpochSampler b = new EpochSampler(dataset(N), 5);
        b.restore(EpochSampler.Cursor.fromMap(c.toMap()));
        assertThat(ids(b.next(N))).isEqualTo(ids(a.next(N)));
    }

    @Test
    void cursorOfOtherDataOrSeedIsRejected() {
        EpochSampler.Cursor c = new EpochSampler(dataset(N), 1).cursor();
        assertThatThrownBy(() -> new EpochSampler(dataset(N), 2).restore(c))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("other data or another seed");
        List<PromptSample> renamed = new ArrayList<>(dataset(N));
        renamed.set(3, new PromptSample("other", "q", "a"));
        assertThatThrownBy(() -> new EpochSampler(renamed, 1).restore(c)).isInstanceOf(DatasetException.class);
    }

    @Test
    void malformedCursorMapsAreRejected() {
        Map<String, Object> good = new EpochSampler(dataset(N), 1).cursor().toMap();
        Map<String, Object> missing = new java.util.HashMap<>(good);
        missing.remove("epoch");
        assertThatThrownBy(() -> EpochSampler.Cursor.fromMap(missing))
                .hasMessage("data cursor: key 'epoch' must be an integer, got nothing");
        Map<String, Object> outOfRange = new java.util.HashMap<>(good);
        outOfRange.put("position", N);
        assertThatThrownBy(() -> EpochSampler.Cursor.fromMap(outOfRange)).hasMessageContaining("position " + N);
    }

    @Test
    void batchLargerThanTheDatasetSpansEpochs() {
        EpochSampler sampler = new EpochSampler(dataset(3), 9);
        List<String> batch = ids(sampler.next(7));
        assertThat(batch).hasSize(7);
        assertThat(new HashSet<>(batch.subList(0, 3))).hasSize(3);
        assertThat(new HashSet<>(batch.subList(3, 6))).hasSize(3);
        assertThat(sampler.cursor().epoch()).isEqualTo(2);
        assertThat(sampler.cursor().position()).isEqualTo(1);
    }

    @Test
    void permutationsAreUniformOverAllOrders() {
        // 3 elements: 6 orders; over 6000 epochs each order should appear about 1000 times
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (int e = 0; e < 6000; e++) {
            counts.merge(java.util.Arrays.toString(EpochSampler.permutation(3, 11, e)), 1, Integer::sum);
        }
        assertThat(counts).hasSize(6);
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(880, 1120));
    }

    @Test
    void emptyDatasetIsRejected() {
        assertThatThrownBy(() -> new EpochSampler(List.of(), 0)).hasMessage("cannot sample from an empty dataset");
    }

    @org.junit.jupiter.api.Test
    void unshuffledSamplerVisitsDatasetOrderEveryEpochAndResumes() {
        java.util.List<PromptSample> data = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            data.add(new PromptSample("s" + i, "q" + i, "a" + i));
        }
        EpochSampler s = new EpochSampler(data, 9, false);
        org.assertj.core.api.Assertions.assertThat(s.next(7).stream().map(PromptSample::id))
                .containsExactly("s0", "s1", "s2", "s3", "s4", "s0", "s1");
        EpochSampler r = new EpochSampler(data, 9, false);
        r.restore(s.cursor());
        org.assertj.core.api.Assertions.assertThat(r.next(2).stream().map(PromptSample::id))
                .containsExactly("s2", "s3");
    }
}
