package dev.kansoku.inference.architecture;

import dev.kansoku.inference.Architecture;
import dev.kansoku.inference.Attention;
import dev.kansoku.inference.ConfigFields;
import dev.kansoku.inference.DecoderBlock;
import dev.kansoku.inference.Embedder;
import dev.kansoku.inference.FeedForward;
import dev.kansoku.inference.ModelConfig;
import dev.kansoku.inference.ModelFormatException;
import dev.kansoku.inference.Norm;
import dev.kansoku.inference.OutputHead;
import dev.kansoku.inference.RotaryLayout;
import dev.kansoku.inference.RotaryParameters;
import dev.kansoku.inference.SafetensorsCheckpoint;
import dev.kansoku.inference.TensorSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI's GPT-2 (modeling_gpt2; Fugaku-LLM-13B): LayerNorms with biases, learned absolute positions ({@code wpe})
 * added to the token embeddings, a two-matrix GELU MLP, biases on every projection, weights stored as Conv1D
 * ([in, out]) with query, key and value in one {@code c_attn} matrix. Tensor names under {@code transformer.}, or bare
 * as OpenAI's own gpt2 checkpoint stores them; the causal-mask buffers older checkpoints carry are not weights.
 * GPT2Config's keys and defaults: n_embd, n_layer, n_head, n_inner = null → 4 × n_embd, n_positions 1024,
 * layer_norm_epsilon 1e-5, activation_function gelu_new, a tied head, eos 50256.
 *
 * @param activation the MLP's activation
 */
public record Gpt2(FeedForward.Activation activation) implements Architecture {
  private static final String NAME = "GPT2LMHeadModel";
  private static final String PREFIX = "transformer.";

  /** The reader the service loader creates. */
  public Gpt2() {
    this(FeedForward.Activation.GELU_TANH);
  }

  @Override
  public Set<String> names() {
    return Set.of(NAME);
  }

  @Override
  public String layerCountKey() {
    return "n_layer";
  }

  @Override
  public RotaryLayout rotary() {
    return RotaryLayout.NONE;
  }

  /** Options that change the attention and that no study model uses are errors naming the key, not other numbers. */
  @Override
  public ModelConfig read(String name, ConfigFields f) {
    if (f.optionalBoolean("scale_attn_by_inverse_layer_idx", false)) {
      throw new ModelFormatException(f.file(), "scale_attn_by_inverse_layer_idx", "true is not implemented");
    }
    if (!f.optionalBoolean("scale_attn_weights", true)) {
      throw new ModelFormatException(f.file(), "scale_attn_weights", "false is not implemented");
    }
    if (f.optionalBoolean("add_cross_attention", false)) {
      throw new ModelFormatException(f.file(), "add_cross_attention", "cross-attention is not implemented (decoder-only models)");
    }
    if (f.optionalBoolean("reorder_and_upcast_attn", false)) {
      throw new ModelFormatException(f.file(), "reorder_and_upcast_attn", "true is not implemented");
    }
    // dropout, the double-heads model's summary head and GPT2Config's legacy n_ctx do not enter a causal LM's forward pass
    f.inert("attn_pdrop", "embd_pdrop", "resid_pdrop", "summary_activation", "summary_first_dropout", "summary_proj_to_labels",
        "summary_type", "summary_use_proj", "n_ctx");
    String act = f.optionalText("activation_function", "gelu_new");
    FeedForward.Activation activation = switch (act) {
      case "gelu" -> FeedForward.Activation.GELU;
      case "gelu_new", "gelu_pytorch_tanh" -> FeedForward.Activation.GELU_TANH;
      default -> throw new ModelFormatException(f.file(), "activation_function", "'" + act
          + "' is not implemented (gelu, gelu_new, gelu_pytorch_tanh)");
    };
    int hidden = f.requiredInt("n_embd");
    int heads = f.requiredInt("n_head");
    if (hidden % heads != 0) {
      throw new ModelFormatException(f.file(), "n_head", heads + " does not divide n_embd " + hidden);
    }
    int vocab = f.requiredInt("vocab_size");
    // GPT2Config's default eos (50256) lies outside a smaller vocabulary, where transformers can never generate it:
    // no eos then, the same behaviour, and padding is not given an id the embedding lacks
    List<Integer> eos = f.root().has("eos_token_id") ? f.intList("eos_token_id") : vocab > 50256 ? List.of(50256) : List.of();
    int layers = f.requiredInt("n_layer");
    return new ModelConfig(new Gpt2(activation), name, vocab, hidden, f.optionalInt("n_inner", 4 * hidden), layers, heads, heads,
        hidden / heads, f.optionalDouble("layer_norm_epsilon", 1e-5), RotaryParameters.plain(0),
        f.optionalBoolean("tie_word_embeddings", true), f.optionalInt("n_positions", 1024), eos,
        java.util.Collections.nCopies(layers, 0), ModelConfig.FeedForwardShape.dense(2));
  }

  /** OpenAI's own gpt2 checkpoint (a bare GPT2Model) stores its tensors without {@code transformer.}. */
  @Override
  public String prefixStoredWithout(SafetensorsCheckpoint checkpoint) {
    return checkpoint.fileOf(PREFIX + "wte.weight") == null && checkpoint.fileOf("wte.weight") != null ? PREFIX : "";
  }

  /** The causal-mask buffers ({@code attn.bias}, {@code attn.masked_bias}) that older checkpoints carry are not weights. */
  @Override
  public boolean isBuffer(String stored) {
    return stored.endsWith(".attn.bias") || stored.endsWith(".attn.masked_bias");
  }

  @Override
  public Embedder embedder(ModelConfig c, TensorSource w) {
    var tokens = w.matrix(PREFIX + "wte.weight", c.vocabSize(), c.hiddenSize());
    var positions = w.vector(PREFIX + "wpe.weight", c.maxPositionEmbeddings(), c.hiddenSize());
    return Embedder.withLearnedPositions(tokens, positions, c.maxPositionEmbeddings(), w.compute());
  }

  @Override
  public DecoderBlock layer(ModelConfig c, int i, TensorSource w) {
    long d = c.hiddenSize();
    long inner = c.intermediateSize();
    String p = PREFIX + "h." + i + ".";
    Norm ln1 = layerNorm(c, w, p + "ln_1");
    Attention.Inputs qkv = Attention.fused(w.conv1d(p + "attn.c_attn", d, 3 * d), d);
    var out = w.conv1d(p + "attn.c_proj", d, d);
    Norm ln2 = layerNorm(c, w, p + "ln_2");
    FeedForward mlp = FeedForward.dense(w.conv1d(p + "mlp.c_fc", d, inner), w.conv1d(p + "mlp.c_proj", inner, d), activation);
    Attention attention = new Attention(qkv, out, Attention.Shape.of(c, i), RotaryLayout.NONE, w.compute());
    return DecoderBlock.sequential(ln1, attention, ln2, mlp);
  }

  @Override
  public OutputHead head(ModelConfig c, TensorSource w, Embedder embedding) {
    Norm lnF = layerNorm(c, w, PREFIX + "ln_f");
    var head = c.tieWordEmbeddings() ? embedding.tokenMatrix() : w.matrix("lm_head.weight", c.vocabSize(), c.hiddenSize());
    return OutputHead.of(lnF, head, w.compute());
  }

  private static Norm layerNorm(ModelConfig c, TensorSource w, String name) {
    var weight = w.normWeight(name + ".weight", c.hiddenSize());
    return Norm.layerNorm(weight, w.vector(name + ".bias", c.hiddenSize()), c.normEps(), w.compute());
  }

  @Override
  public Map<Long, String> dimensionKeys(ModelConfig c) {
    Map<Long, String> keys = new LinkedHashMap<>();
    java.util.function.BiConsumer<Long, String> add = (v, k) -> keys.merge(v, k, (a, b) -> a + " or " + b);
    add.accept((long) c.hiddenSize(), "n_embd");
    add.accept((long) c.vocabSize(), "vocab_size");
    add.accept((long) c.intermediateSize(), "n_inner (null: 4 × n_embd)");
    add.accept((long) c.maxPositionEmbeddings(), "n_positions");
    add.accept(3L * c.hiddenSize(), "3 × n_embd");
    return keys;
  }
}
