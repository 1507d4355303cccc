package dev.kansoku.inference;

import java.util.Arrays;

/** Token ids, attention mask and position ids of a padded batch, flattened row-major. */
record PaddedBatch(int rows, int width, long[] ids, long[] mask, long[] positions) {
  static PaddedBatch rightPadded(long[][] seqs, int width, long pad) {
    return pad(seqs, width, pad, false);
  }

  static PaddedBatch leftPadded(long[][] seqs, int width, long pad) {
    return pad(seqs, width, pad, true);
  }

  private static PaddedBatch pad(long[][] seqs, int width, long pad, boolean left) {
    int rows = seqs.length;
    long[] ids = new long[rows * width];
    long[] mask = new long[rows * width];
    long[] positions = new long[rows * width];
    Arrays.fill(ids, pad);
    for (int r = 0; r < rows; r++) {
      int offset = left ? width - seqs[r].length : 0;
      for (int j = 0; j < seqs[r].length; j++) {
        ids[r * width + offset + j] = seqs[r][j];
        mask[r * width + offset + j] = 1;
        positions[r * width + offset + j] = j;
      }
    }
    return new PaddedBatch(rows, width, ids, mask, positions);
  }
}
