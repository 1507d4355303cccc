package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** How positions enter attention: rotary embeddings on query and key (two layouts), or not at all. */
public enum RotaryLayout {
  /** No rotary embedding (GPT-2's learned positions are added to the token embeddings instead). */
  NONE {
    @Override
    NDArray[] tables(NDArray positions, NDArray invFreq, double scaling, DataType dtype) {
      return new NDArray[] {null, null};
    }

    @Override
    NDArray apply(NDArray x, NDArray cos, NDArray sin, DataType dtype) {
      return x;
    }
  },
  /** Llama's {@code rotate_half} over the two halves of a head, tables in the compute dtype. */
  HALVES {
    @Override
    NDArray[] tables(NDArray positions, NDArray invFreq, double scaling, DataType dtype) {
      NDArray freqs = frequencies(positions, invFreq);
      NDArray emb = freqs.concat(freqs, 2).expandDims(1);
      return new NDArray[] {scaled(emb.cos(), scaling).toType(dtype, false), scaled(emb.sin(), scaling).toType(dtype, false)};
    }

    @Override
    NDArray apply(NDArray x, NDArray cos, NDArray sin, DataType dtype) {
      long half = x.getShape().get(3) / 2;
      NDArray x1 = x.get(new NDIndex("..., :{}", half));
      NDArray x2 = x.get(new NDIndex("..., {}:", half));
      NDArray rotated = x2.neg().concat(x1, 3);
      return x.mul(cos).add(rotated.mul(sin));
    }
  },
  /**
   * Cohere's: pairs (2i, 2i+1) rotate together ({@code rotate_half} = stack(-x[1::2], x[::2]) flattened), in float32
   * with float32 tables of compute-dtype values, as modeling_cohere's apply_rotary_pos_emb does.
   */
  INTERLEAVED {
    @Override
    NDArray[] tables(NDArray positions, NDArray invFreq, double scaling, DataType dtype) {
      // CohereRotaryEmbedding: repeat_interleave(freqs, 2), each frequency twice in a row; the tables are rounded to
      // the compute dtype and the rotation runs in float32, so they are widened here, once a pass
      NDArray freqs = frequencies(positions, invFreq);
      NDArray emb = NDArrays.stack(new NDList(freqs, freqs), 3).reshape(freqs.getShape().get(0), freqs.getShape().get(1), -1).expandDims(1);
      return new NDArray[] {scaled(emb.cos(), scaling).toType(dtype, false).toType(DataType.FLOAT32, false),
          scaled(emb.sin(), scaling).toType(dtype, false).toType(DataType.FLOAT32, false)};
    }

    @Override
    NDArray apply(NDArray x, NDArray cos, NDArray sin, DataType dtype) {
      Shape s = x.getShape();
      NDArray x32 = x.toType(DataType.FLOAT32, false);
      NDArray pairs = x32.reshape(s.get(0), s.get(1), s.get(2), s.get(3) / 2, 2);
      NDArray even = pairs.get(new NDIndex("..., 0"));
      NDArray odd = pairs.get(new NDIndex("..., 1"));
      NDArray rotated = NDArrays.stack(new NDList(odd.neg(), even), 4).reshape(s);
      return x32.mul(cos).add(rotated.mul(sin)).toType(dtype, false);
    }
  };

  /**
   * cos and sin tables, each (B, 1, T, headDim), from float32 positions × inv_freq as transformers computes them,
   * times the rotary attention scaling (YaRN's attention factor) in float32.
   */
  abstract NDArray[] tables(NDArray positions, NDArray invFreq, double scaling, DataType dtype);

  /** {@code x} (B, heads, T, headDim) rotated by the tables. */
  abstract NDArray apply(NDArray x, NDArray cos, NDArray sin, DataType dtype);

  private static NDArray frequencies(NDArray positions, NDArray invFreq) {
    return positions.toType(DataType.FLOAT32, false).expandDims(2).mul(invFreq.reshape(1, 1, -1));
  }

  private static NDArray scaled(NDArray table, double scaling) {
    return scaling == 1.0 ? table : table.mul((float) scaling);
  }
}
