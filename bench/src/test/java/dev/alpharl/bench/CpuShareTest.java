package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class CpuShareTest {

    @Test
    void parsesTheAggregateCpuLineWithStealAsUnavailable() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        long[] t = CpuShare.machineTicks("cpu  2149986 0 125321 411726 3514 0 835 18171 0 0");
        assertThat(t[0]).isEqualTo(2149986 + 125321 + 835 + 18171);
        assertThat(t[1]).isEqualTo(2149986 + 125321 + 835 + 18171 + 411726 + 3514);
        assertThatThrownBy(() -> CpuShare.machineTicks("cpu0 1 2 3 4 5 6 7 8")).hasMessageContaining("aggregate");
    }

    @Test
    void ownTicksSumUserSystemAndWaitedForChildrenAfterANameWithSpaces() {
        String stat = "5690 (my (odd) name) R 5687 5687 19655 0 -1 4194304 98 0 0 0 11 22 33 44 20 0 1 0 1357485";
        assertThat(CpuShare.ownTicks(stat)).isEqualTo(11 + 22 + 33 + 44);
    }

    @Test
    void othersShareIsTheMachinesBusyTimeThatIsNotOurs() {
        CpuShare.Sample a = new CpuShare.Sample(1000, 5000, 300);
        // 200 ticks on 2 cores elapsed: 150 busy, of which 120 ours → 30 others = 15%
        CpuShare.Sample b = new CpuShare.Sample(1150, 5200, 420);
        assertThat(CpuShare.othersShare(a, b)).isCloseTo(0.15, within(1e-12));
        assertThat(CpuShare.othersShare(null, b)).isNaN();
        assertThat(CpuShare.othersShare(a, a)).isNaN();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void samplesThisMachine() {
        CpuShare.Sample s = CpuShare.sample();
        assertThat(s).isNotNull();
        assertThat(s.total()).isGreaterThan(s.busyOrStolen());
        assertThat(s.own()).isPositive(); // this JVM has run for a while
    }
}
