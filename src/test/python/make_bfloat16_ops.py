#!/usr/bin/python3
"""Writes src/main/resources/dev/kansoku/inference/bfloat16_ops.pt, the TorchScript module through which Kansoku
holds and multiplies bfloat16 weights on DJL 0.36.

Why: DJL 0.36's PyTorch JNI maps its DataType ordinals to torch dtypes in GetScalarTypeFromDType
(engines/pytorch/pytorch-native/src/main/native/djl_pytorch_utils.h), whose switch stops at complex64 (8) and ends
in a bare `throw;` — so any DJL call that passes bfloat16 (ordinal 11: create, toType, zeros) calls std::terminate
("terminate called without an active exception") and the JVM exits with 134 (DjlBfloat16Reproducer). Tensors
*made* inside a TorchScript method never pass a DJL dtype, and DJL's ops that take none (index, narrow, close) work
on them. These methods are the only places where a bf16 tensor is created or read: weights are allocated and filled
here, and linear / embedding take float32 activations and return float32, so DJL never sees a bf16 result.

The module has no parameters or state; it is ~2 KB. Regenerate with Debian's python3-torch (1.13 here; libtorch
2.7.1 loads it):  /usr/bin/python3 src/test/python/make_bfloat16_ops.py
"""
import sys
from typing import List

import torch


class Bfloat16Ops(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(torch.bfloat16)

    @torch.jit.export
    def empty(self, shape: List[int], like: torch.Tensor) -> torch.Tensor:
        """A bf16 tensor of `shape` on `like`'s device (the destination of a weight)."""
        return torch.empty(shape, dtype=torch.bfloat16, device=like.device)

    @torch.jit.export
    def fill_rows(self, dest: torch.Tensor, rows: torch.Tensor, start: int) -> int:
        """dest[start:start + n] = rows, cast to bf16 (round to nearest even; exact for values that are bf16)."""
        dest.narrow(0, start, rows.size(0)).copy_(rows)
        return 0

    @torch.jit.export
    def fill_columns(self, dest: torch.Tensor, rows: torch.Tensor, start: int) -> int:
        """dest[:, start:start + n] = rowsᵀ: a Conv1D weight stored [in, out] held as a Linear's [out, in]."""
        dest.narrow(1, start, rows.size(0)).copy_(rows.t())
        return 0

    @torch.jit.export
    def linear(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """x Wᵀ with x rounded to bf16 and W in bf16 (fp32 accumulation in the kernel), returned as float32."""
        return torch.nn.functional.linear(x.to(torch.bfloat16), w).float()

    @torch.jit.export
    def embedding(self, ids: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """Rows of a bf16 embedding as float32 (exact)."""
        return torch.embedding(w, ids).float()


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "src/main/resources/dev/kansoku/inference/bfloat16_ops.pt"
    torch.jit.script(Bfloat16Ops()).save(out)
    print(out)
