package dev.kansoku.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Expected values were printed by CPython 3.11's random module (see each comment). */
class PythonRandomTest {
  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  @Test
  void getrandbitsMatchesCPython() {
    // random.Random(0).getrandbits(32), then getrandbits(7)
    PythonRandom r = new PythonRandom(0);
    assertEquals(3626764237L, r.getrandbits(32));
    assertEquals(49L, r.getrandbits(7));
    // random.Random(2**40 + 5).getrandbits(32): a seed wider than 32 bits
    assertEquals(2166296868L, new PythonRandom((1L << 40) + 5).getrandbits(32));
  }

  @Test
  void sampleMatchesLmEvalSamplerSequence() {
    // r = random.Random(1234); [r.sample(range(2325), 4) for _ in range(3)]: the set-based method
    PythonRandom r = new PythonRandom(1234);
    assertEquals(List.of(1805, 478, 30, 371), r.sample(range(2325), 4));
    assertEquals(List.of(143, 343, 403, 1452), r.sample(range(2325), 4));
    assertEquals(List.of(969, 71, 126, 64), r.sample(range(2325), 4));
    // r = random.Random(1234); r.sample(range(50), 4), r.sample(range(50), 4): still the set method (n > 21)
    PythonRandom s = new PythonRandom(1234);
    assertEquals(List.of(49, 28, 7, 0), s.sample(range(50), 4));
    assertEquals(List.of(5, 37, 2, 42), s.sample(range(50), 4));
  }

  @Test
  void samplePoolMethodForSmallPopulations() {
    // r = random.Random(7); r.sample(range(10), 3), r.sample(range(10), 3)
    PythonRandom r = new PythonRandom(7);
    assertEquals(List.of(5, 2, 6), r.sample(range(10), 3));
    assertEquals(List.of(0, 1, 8), r.sample(range(10), 3));
  }

  @Test
  void shuffleMatchesLlmJpEval() {
    // random.seed(42); x = list(range(8939)); random.shuffle(x); x[:6], x[-3:]
    List<Integer> x = new ArrayList<>(range(8939));
    new PythonRandom(42).shuffle(x);
    assertEquals(List.of(1011, 4986, 4239, 1005, 2921, 1900), x.subList(0, 6));
    assertEquals(List.of(4506, 409, 1824), x.subList(8936, 8939));
  }
}
