package dev.alpharl.datasets.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.PromptSample;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ScratchpadAdditionTaskTest {

    private static final Pattern COLUMN = Pattern.compile("(\\d)\\+(\\d)(\\+1)?=(\\d+)");

    @Test
    void handWrittenChains() {
        assertThat(ScratchpadAdditionTask.correctChain(4758, 3967))
                .isEqualTo("8+7=15,5+6+1=12,7+9+1=17,4+3+1=8 so 8725");
        assertThat(ScratchpadAdditionTask.flawedChain(4758, 3967)).isEqualTo("8+7=15,5+6=11,7+9=16,4+3=7 so 7615");
        // a shorter operand contributes zeros; a final carry becomes the leading 1
        assertThat(ScratchpadAdditionTask.correctChain(95, 7)).isEqualTo("5+7=12,9+0+1=10 so 102");
        assertThat(ScratchpadAdditionTask.flawedChain(95, 7)).isEqualTo("5+7=12,9+0=9 so 92");
        // no carry anywhere: both procedures give the true sum
        assertThat(ScratchpadAdditionTask.flawedChain(123, 456)).endsWith(" so 579");
        assertThat(ScratchpadAdditionTask.correctChain(123, 456)).isEqualTo("3+6=9,2+5=7,1+4=5 so 579");
    }

    /**
     * Every correct chain is arithmetic a reader can check column by column and ends in the true sum; the flawed
     * fraction of solutions is the requested one; chains are 20-60 characters for 3-5 digit operands.
     */
    @Test
    void chainsCheckOutColumnByColumnAndTheMixtureHasTheRequestedShare() {
        List<PromptSample> samples = new ScratchpadAdditionTask(3, 5, 0.6).samples(Split.TRAIN, 3, 2000, 0.1);
        int flawed = 0, flawedButRight = 0;
        for (PromptSample s : samples) {
            String[] ab = ((String) s.fields().get("expression")).split("\\+");
            long a = Long.parseLong(ab[0]), b = Long.parseLong(ab[1]);
            assertThat(s.answer()).isEqualTo(Long.toString(a + b));
            String solution = (String) s.fields().get(PromptSample.SOLUTION);
            assertThat(solution.length()).as(solution).isBetween(20, 60);
            boolean isFlawed = s.fields().get(ScratchpadAdditionTask.PROCEDURE).equals("flawed");
            flawed += isFlawed ? 1 : 0;
            String stated = solution.substring(solution.indexOf(" so ") + 4);
            if (isFlawed) {
                flawedButRight += stated.equals(s.answer()) ? 1 : 0;
                continue;
            }
            assertThat(stated).isEqualTo(s.answer());
            Matcher m = COLUMN.matcher(solution);
            int carry = 0;
            long x = a, y = b;
            while (m.find()) {
                assertThat(Integer.parseInt(m.group(1))).isEqualTo(x % 10);
                assertThat(Integer.parseInt(m.group(2))).isEqualTo(y % 10);
                assertThat(m.group(3) != null).isEqualTo(carry == 1);
                int sum = Integer.parseInt(m.group(4));
                assertThat(sum).isEqualTo(x % 10 + y % 10 + carry);
                carry = sum / 10;
                x /= 10;
                y /= 10;
            }
            assertThat(x).isZero();
            assertThat(y).isZero();
        }
        // binomial(2000, 0.6): standard deviation 22
        assertThat(flawed).isBetween(1200 - 90, 1200 + 90);
        // the flawed procedure is right only without carries, which few 3-5 digit sums avoid
        assertThat(flawedButRight).isLessThan(flawed / 5);
    }

    @Test
    void badKnobsAreRefused() {
        assertThatThrownBy(() -> new ScratchpadAdditionTask(3, 2, 0.5))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("min-digits");
        assertThatThrownBy(() -> new ScratchpadAdditionTask(1, 3, 1.5))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("flawed-fraction");
    }
}
