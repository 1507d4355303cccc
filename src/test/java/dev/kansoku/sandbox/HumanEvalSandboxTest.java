package dev.kansoku.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.config.SandboxSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Faithfulness of program composition and pass@k against the published problems. */
class HumanEvalSandboxTest {
  private static Map<String, HumanEvalProblem> load(String file) throws Exception {
    return HumanEvalProblem.load(TestPaths.REPO.resolve(file));
  }

  /** Runs every canonical solution; returns "id: outcome detail" of those that did not pass. */
  private static List<String> failingCanonicalSolutions(Map<String, HumanEvalProblem> problems) {
    List<String> programs = new ArrayList<>();
    problems.values().forEach(p -> programs.add(p.program(p.canonicalSolution())));
    List<ExecutionResult> results = new CodeExecutionScorer(SandboxSettings.defaults()).runAll(programs);
    List<String> failed = new ArrayList<>();
    int i = 0;
    for (HumanEvalProblem p : problems.values()) {
      ExecutionResult r = results.get(i++);
      if (!r.passed()) {
        failed.add(p.taskId() + ": " + r.outcome() + " " + r.detail());
      }
    }
    return failed;
  }

  @Test
  void everyHumanEvalCanonicalSolutionPasses() throws Exception {
    Map<String, HumanEvalProblem> problems = load("data/benchmarks/humaneval/HumanEval.jsonl.gz");
    assertEquals(164, problems.size());
    assertEquals(List.of(), failingCanonicalSolutions(problems));
  }

  /**
   * JHumanEval/64's published prompt is not valid Python (its FIX string runs into "def" on one line), so
   * under the reference composition no completion can pass it; every other canonical solution passes.
   */
  @Test
  void jhumanevalCanonicalSolutionsPassExceptTheOneWithABrokenPrompt() throws Exception {
    Map<String, HumanEvalProblem> problems = load("data/benchmarks/jhumaneval/jhuman-eval.jsonl.gz");
    assertEquals(164, problems.size());
    assertTrue(problems.get("JHumanEval/64").prompt().contains("\"\"\"def vowels_count"));
    assertEquals(List.of("JHumanEval/64: ERROR SyntaxError: invalid syntax (program.py, line 4)"),
        failingCanonicalSolutions(problems));
  }

  @Test
  void knownWrongVariantFails() throws Exception {
    HumanEvalProblem p = load("data/benchmarks/humaneval/HumanEval.jsonl.gz").get("HumanEval/0");
    ExecutionResult r = new PythonSandbox(SandboxSettings.defaults()).run(p.program("    return False\n"));
    assertEquals(ExecutionOutcome.FAILED, r.outcome());
  }

  @Test
  void programIsComposedAsTheHarnessDoes() {
    HumanEvalProblem p = new HumanEvalProblem("X/1", "def f():\n", "f", "    return 1\n", "\n\ndef check(candidate):\n    assert candidate() == 1\n");
    assertEquals("def f():\n    return 1\n\n\n\ndef check(candidate):\n    assert candidate() == 1\n\ncheck(f)",
        p.program("    return 1\ndef helper():\n    pass\n"));
    assertEquals("    x = 1", HumanEvalProblem.stopAtStopWord("    x = 1\nprint(x)\n#\nclass A"));
  }

  @Test
  void passAtKEstimatorMatchesHandComputedValues() {
    assertEquals(0.3, PassAtK.estimate(10, 3, 1), 1e-12);
    // 1 - C(7,5)/C(10,5) = 1 - 21/252
    assertEquals(1 - 21.0 / 252.0, PassAtK.estimate(10, 3, 5), 1e-12);
    assertEquals(1.0, PassAtK.estimate(5, 4, 2), 0.0);
    assertEquals(0.0, PassAtK.estimate(10, 0, 1), 0.0);
  }

  @Test
  void passAtOneOfAFixedSetOfCompletions() throws Exception {
    // three problems, four samples each: 4, 2 and 0 correct → pass@1 = (1 + 0.5 + 0) / 3 = 0.5
    Map<String, HumanEvalProblem> problems = load("data/benchmarks/humaneval/HumanEval.jsonl.gz");
    List<HumanEvalProblem> chosen = List.of(problems.get("HumanEval/0"), problems.get("HumanEval/2"), problems.get("HumanEval/4"));
    int[] correct = {4, 2, 0};
    List<String> programs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      for (int s = 0; s < 4; s++) {
        HumanEvalProblem p = chosen.get(i);
        programs.add(p.program(s < correct[i] ? p.canonicalSolution() : "    return None\n"));
      }
    }
    List<ExecutionResult> results = new CodeExecutionScorer(SandboxSettings.defaults()).runAll(programs);
    int[] n = new int[3];
    int[] c = new int[3];
    for (int i = 0; i < results.size(); i++) {
      n[i / 4]++;
      c[i / 4] += results.get(i).passed() ? 1 : 0;
    }
    assertEquals(List.of(4, 2, 0), List.of(c[0], c[1], c[2]));
    assertEquals(0.5, PassAtK.mean(n, c, 1), 1e-12);
  }
}
