package dev.kansoku.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.config.TaskSpec;
import dev.kansoku.text.Golds;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BLEU against sacrebleu 2.6.0 itself (its source run with CPython on these strings; values pasted below),
 * the other metrics against values worked out by hand from the reference definitions.
 */
class CorpusAndTextMetricsTest {
  private static final List<String> HYP = List.of("The cat sat on the mat.", "A quick brown fox, 3.5 km away.",
      "He said \"no\" & left-handed 1990-2000.");
  private static final List<String> REF = List.of("The cat is sitting on the mat.", "The quick brown fox was 3.5 km away.",
      "He said \"no\" and left, 1990-2000.");

  @Test
  void tokenizer13aMatchesSacrebleu() {
    assertEquals("He said \" no \" & left-handed 1990 - 2000 . A , b 3,5 x . y",
        String.join(" ", Tokenizer13a.tokenize("He said \"no\" & left-handed 1990-2000. A,b 3,5 x.y")));
  }

  @Test
  void corpusBleuMatchesSacrebleu() {
    // sacrebleu.corpus_bleu(HYP, [REF]): score 48.07745874830859, counts [22,16,10,5], totals [27,24,21,18], 27/29
    Bleu.Stats sum = Bleu.Stats.zero();
    for (int i = 0; i < HYP.size(); i++) {
      sum = sum.plus(Bleu.stats(HYP.get(i), REF.get(i), false));
    }
    assertEquals("27 29 22/27 16/24 10/21 5/18", sum.encode());
    assertEquals(48.07745874830859, Bleu.corpus(HYP, REF, false), 1e-9);
    assertEquals(0.0, Bleu.corpus(List.of("the the the"), List.of("the cat"), false), 1e-12);
    assertEquals(27.22230298303347, Bleu.corpus(List.of("a b c d e f"), List.of("a b c x e f g h"), false), 1e-9);
  }

  @Test
  void japaneseBleuSegmentsIntoMorphemesFirst() {
    // pre-segmented text gives sacrebleu's 40.46998852664278; raw Japanese segmented by IPADIC must agree
    assertEquals(List.of("猫", "が", "座っ", "た", "。"), JapaneseMorphemes.segment("猫が座った。"));
    assertEquals(40.46998852664278, Bleu.corpus(List.of("猫 が 座っ た 。", "今日 は 晴れ"),
        List.of("猫 が 座っ て いる 。", "今日 は 晴れ です"), false), 1e-9);
    assertEquals(40.46998852664278, Bleu.corpus(List.of("猫が座った。", "今日は晴れ"),
        List.of("猫が座っている。", "今日は晴れです"), true), 1e-9);
  }

  @Test
  void corpusBleuOfStoredStatisticsEqualsDirectComputation() {
    AggregateState state = Metrics.named("bleu").newState();
    AggregateState again = Metrics.named("bleu").newState();
    for (int i = 0; i < HYP.size(); i++) {
      state.add(Integer.toString(i), Double.NaN, Bleu.stats(HYP.get(i), REF.get(i), false).encode());
      again.add(Integer.toString(i), Double.NaN, Bleu.stats(HYP.get(i), REF.get(i), false).encode());
    }
    AggregateState.Result r = state.result(HYP.size());
    assertEquals(0.4807745874830859, r.value(), 1e-12);
    assertTrue(r.stderr() > 0 && r.stderr() < 0.5, "bootstrap stderr " + r.stderr());
    assertEquals(r, again.result(HYP.size()), "seeded bootstrap is repeatable");
  }

  @Test
  void rouge2OnMorphemeBigrams() {
    // reference 猫/が/座っ/て/いる/。 → 5 bigrams; prediction 猫/が/座っ/た/。 → 4; shared: 猫が, が座っ → P = 2/4, R = 2/5
    double p = 0.5;
    double r = 0.4;
    assertEquals(2 * p * r / (p + r), Rouge2.fmeasure("猫が座っている。", "猫が座った。"), 1e-12);
    assertEquals(1.0, Rouge2.fmeasure("今日は晴れです。", "今日は晴れです。"), 1e-12);
    assertEquals(0.0, Rouge2.fmeasure("今日は晴れです。", ""), 1e-12);
    // full-width digits and letters are normalised before segmentation
    assertEquals(Rouge2.fmeasure("２０２４年にＡＩが", "2024年にAIが"), 1.0, 1e-12);
  }

  @Test
  void squadV2ExactAndF1() {
    SquadV2.Score s = SquadV2.score("the Seine.", List.of("The Seine", "Seine"), 0.3);
    assertEquals(1.0, s.exact());
    assertEquals(1.0, s.f1());
    // prediction "river Seine" vs gold "Seine": 1 shared token, P = 1/2, R = 1 → F1 = 2/3
    assertEquals(2.0 / 3, SquadV2.score("river Seine", List.of("Seine"), 0.0).f1(), 1e-12);
    // unanswerable: the only gold is "", so an empty prediction is right and "unanswerable" is not
    assertEquals(1.0, SquadV2.score("", Golds.split(""), 0.0).exact());
    assertEquals(0.0, SquadV2.score("unanswerable", Golds.split(""), 0.9).exact());
    // a no-answer probability above the 1.0 threshold would override the text (it never happens with exp(ll))
    assertEquals(1.0, SquadV2.score("unanswerable", Golds.split(""), 1.5).exact());
  }

  @Test
  void answerFiltersMatchTheHarnesses() {
    assertEquals("72", AnswerPostprocess.GSM8K_STRICT.prediction("She has 72 now.\n#### 72\n\nQuestion: next"));
    assertEquals("[invalid]", AnswerPostprocess.GSM8K_STRICT.prediction("The answer is 72."));
    assertEquals("False", AnswerPostprocess.BBH_GET_ANSWER.prediction("... = False. So the answer is False.\n"));
    assertEquals("(A)", AnswerPostprocess.BBH_GET_ANSWER.prediction("So the answer is (A)."));
    assertEquals("[invalid]", AnswerPostprocess.BBH_GET_ANSWER.prediction("I do not know"));
    assertEquals("2125", AnswerPostprocess.MGSM_NUMBER.prediction("合計は2,125ドルです。答えは2,125です。"));
    assertEquals("18", AnswerPostprocess.MGSM_NUMBER.prediction("答えは18.0です"));
    assertEquals("[invalid]", AnswerPostprocess.MGSM_NUMBER.prediction("答えは3.5です"));
    assertEquals("[invalid]", AnswerPostprocess.MGSM_NUMBER.prediction("わかりません"));
    assertEquals("Tokyo", AnswerPostprocess.REMOVE_WHITESPACE.prediction(" Tokyo"));
  }

  @Test
  void exactMatchAppliesHarnessNormalisationToBothSides() {
    ExactMatch gsm = new ExactMatch(List.of(",", "\\$", "(?s).*#### ", "\\.$"), true, false);
    assertTrue(gsm.matches("1,000", List.of("She earns 2 * 500 = $1000.\n#### 1,000")));
    assertTrue(!gsm.matches("999", List.of("#### 1000")));
    ExactMatch trivia = new ExactMatch(List.of(), true, true);
    assertTrue(trivia.matches("tokyo,", Golds.split(Golds.join(List.of("Tōkyō", "Tokyo")))));
    ExampleScorer scorer = new ExampleScorer(List.of("exact_match"), new TaskSpec.Answer("remove-whitespace", true, true, List.of(), false));
    ExampleScore s = scorer.score(List.of(new ChoiceResponse(-1, null, null, " The Bard", Golds.join(List.of("William Shakespeare", "the bard"))))).get(0);
    assertEquals(1.0, s.value());
  }
}
