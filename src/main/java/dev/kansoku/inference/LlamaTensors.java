package dev.kansoku.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * The tensors of a checkpoint of a supported architecture (Llama, Mistral, Qwen2 with attention biases, Mixtral
 * experts, Cohere's single-norm parallel block, GPT-2's Conv1D layout) as transformers names and shapes them for a
 * {@code config.json}, in checkpoint order. What {@link LlamaModel} loads, what {@link TinyLlamaFactory} and
 * {@link ShapeTrueCheckpoint} write.
 */
public final class LlamaTensors {
  /** One tensor: its name, its shape, and whether it is a norm weight (written as ones). */
  public record Spec(String name, long[] shape, boolean norm) {
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  private LlamaTensors() {}

  /** GPT2LMHeadModel's prefix for the GPT2Model inside it; checkpoints saved from a bare GPT2Model (OpenAI's gpt2) lack it. */
  public static final String GPT2_PREFIX = "transformer.";

  /** The name prefix of decoder layer {@code i}'s tensors. */
  public static String layerPrefix(LlamaConfig c, int i) {
    return c.isGpt2() ? GPT2_PREFIX + "h." + i + "." : "model.layers." + i + ".";
  }

  /** Elements of every tensor a checkpoint of {@code c} stores (a tied head counted once). */
  public static long elements(LlamaConfig c) {
    return of(c).stream().mapToLong(Spec::elements).sum();
  }

  public static List<Spec> of(LlamaConfig c) {
    if (c.isGpt2()) {
      return gpt2(c);
    }
    long d = c.hiddenSize();
    long q = (long) c.numHeads() * c.headDim();
    long kv = (long) c.numKvHeads() * c.headDim();
    long inner = c.intermediateSize();
    List<Spec> out = new ArrayList<>();
    out.add(new Spec("model.embed_tokens.weight", new long[] {c.vocabSize(), d}, false));
    for (int i = 0; i < c.numLayers(); i++) {
      String p = layerPrefix(c, i);
      out.add(new Spec(p + "input_layernorm.weight", new long[] {d}, true));
      out.add(new Spec(p + "self_attn.q_proj.weight", new long[] {q, d}, false));
      out.add(new Spec(p + "self_attn.k_proj.weight", new long[] {kv, d}, false));
      out.add(new Spec(p + "self_attn.v_proj.weight", new long[] {kv, d}, false));
      out.add(new Spec(p + "self_attn.o_proj.weight", new long[] {d, q}, false));
      if (c.attentionBias()) {
        out.add(new Spec(p + "self_attn.q_proj.bias", new long[] {q}, false));
        out.add(new Spec(p + "self_attn.k_proj.bias", new long[] {kv}, false));
        out.add(new Spec(p + "self_attn.v_proj.bias", new long[] {kv}, false));
      }
      if (!c.block().parallelResidual()) {
        // Cohere's parallel block has one norm, input_layernorm, for attention and MLP
        out.add(new Spec(p + "post_attention_layernorm.weight", new long[] {d}, true));
      }
      if (c.isMixtureOfExperts()) {
        out.add(new Spec(p + "block_sparse_moe.gate.weight", new long[] {c.numExperts(), d}, false));
        for (int e = 0; e < c.numExperts(); e++) {
          String ep = p + "block_sparse_moe.experts." + e + ".";
          out.add(new Spec(ep + "w1.weight", new long[] {inner, d}, false));
          out.add(new Spec(ep + "w3.weight", new long[] {inner, d}, false));
          out.add(new Spec(ep + "w2.weight", new long[] {d, inner}, false));
        }
      } else {
        out.add(new Spec(p + "mlp.gate_proj.weight", new long[] {inner, d}, false));
        out.add(new Spec(p + "mlp.up_proj.weight", new long[] {inner, d}, false));
        out.add(new Spec(p + "mlp.down_proj.weight", new long[] {d, inner}, false));
      }
    }
    out.add(new Spec("model.norm.weight", new long[] {d}, true));
    if (!c.tieWordEmbeddings()) {
      out.add(new Spec("lm_head.weight", new long[] {c.vocabSize(), d}, false));
    }
    return out;
  }

  /**
   * GPT2LMHeadModel: Conv1D weights are stored [in, out] (y = x W + b), query, key and value in one {@code c_attn}
   * matrix; LayerNorms have biases. The causal-mask buffers ({@code attn.bias}, {@code attn.masked_bias}) that older
   * checkpoints carry are not weights and are not listed.
   */
  private static List<Spec> gpt2(LlamaConfig c) {
    long d = c.hiddenSize();
    long inner = c.intermediateSize();
    List<Spec> out = new ArrayList<>();
    out.add(new Spec(GPT2_PREFIX + "wte.weight", new long[] {c.vocabSize(), d}, false));
    out.add(new Spec(GPT2_PREFIX + "wpe.weight", new long[] {c.maxPositionEmbeddings(), d}, false));
    for (int i = 0; i < c.numLayers(); i++) {
      String p = layerPrefix(c, i);
      out.add(new Spec(p + "ln_1.weight", new long[] {d}, true));
      out.add(new Spec(p + "ln_1.bias", new long[] {d}, false));
      out.add(new Spec(p + "attn.c_attn.weight", new long[] {d, 3 * d}, false));
      out.add(new Spec(p + "attn.c_attn.bias", new long[] {3 * d}, false));
      out.add(new Spec(p + "attn.c_proj.weight", new long[] {d, d}, false));
      out.add(new Spec(p + "attn.c_proj.bias", new long[] {d}, false));
      out.add(new Spec(p + "ln_2.weight", new long[] {d}, true));
      out.add(new Spec(p + "ln_2.bias", new long[] {d}, false));
      out.add(new Spec(p + "mlp.c_fc.weight", new long[] {d, inner}, false));
      out.add(new Spec(p + "mlp.c_fc.bias", new long[] {inner}, false));
      out.add(new Spec(p + "mlp.c_proj.weight", new long[] {inner, d}, false));
      out.add(new Spec(p + "mlp.c_proj.bias", new long[] {d}, false));
    }
    out.add(new Spec(GPT2_PREFIX + "ln_f.weight", new long[] {d}, true));
    out.add(new Spec(GPT2_PREFIX + "ln_f.bias", new long[] {d}, false));
    if (!c.tieWordEmbeddings()) {
      out.add(new Spec("lm_head.weight", new long[] {c.vocabSize(), d}, false));
    }
    return out;
  }
}
