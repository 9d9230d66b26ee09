#!/usr/bin/env python3
"""T5's encoder as reel's text-encoder: input_ids int64 [B, L] → last_hidden_state float32 [B, L, D]
— the prompt states CogVideoX's DiT attends to (T5 v1.1 XXL: D = 4096, L = 226).

The architecture is transformers' `T5EncoderModel`; reel copies none of it.

  python models/export/text-encoder.py --checkpoint THUDM/CogVideoX-2b --subfolder text_encoder --out exports/text-encoder.onnx
  python models/export/text-encoder.py --tiny --out test/fixtures/real-arch/text-encoder.onnx

T5 v1.1 XXL has 4.8 billion parameters: its float32 export is over ONNX's 2 GB protobuf limit, so
the file is written with its weights as external data next to it (keep them together).
--tiny builds T5 v1.1's layout (gated-GELU feed-forward, relative position buckets, RMS norms,
T5's full 32 128-entry table, whose first 32 000 ids reel's tokenizer addresses) at d_model 8 with one layer and
seeded random weights (the test fixture; it pairs with a DiT whose text width is 8). The file is
checked with ONNX Runtime against PyTorch on random ids at two lengths.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import export_checked  # noqa: E402


class PromptStates(torch.nn.Module):
    """reel's names around T5EncoderModel: ids in, last_hidden_state out (no attention mask: CogVideoX
    passes none, so padding is attended as in its pipeline)."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids):
        return self.encoder(input_ids=input_ids).last_hidden_state


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", help="a T5 checkpoint (hub id or folder)")
    ap.add_argument("--subfolder", default="", help="the encoder's folder inside the checkpoint (text_encoder)")
    ap.add_argument("--tiny", action="store_true", help="seeded random weights, T5 v1.1 layout at d_model 8")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not args.tiny and not args.checkpoint:
        sys.exit("give --checkpoint, or --tiny")

    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    if args.tiny:
        config = T5Config(
            vocab_size=32128,
            d_model=8,
            d_kv=4,
            d_ff=16,
            num_layers=1,
            num_heads=2,
            relative_attention_num_buckets=32,
            relative_attention_max_distance=128,
            feed_forward_proj="gated-gelu",
            dropout_rate=0.0,
            tie_word_embeddings=False,
            use_cache=False,
        )
        encoder = T5EncoderModel(config)
    else:
        # float32 as reel's contract: transformers 5 would keep a checkpoint stored in half precision.
        encoder = T5EncoderModel.from_pretrained(args.checkpoint, subfolder=args.subfolder, dtype=torch.float32)
    encoder.eval()
    vocab = encoder.config.vocab_size
    if vocab < 32000:
        sys.exit(f"reel's tokenizer addresses T5's 32 000 SentencePiece ids; this model has {vocab}")

    gen = torch.Generator().manual_seed(1)
    ids = lambda n: torch.randint(0, 32000, (1, n), generator=gen)
    export_checked(
        PromptStates(encoder),
        (ids(226),),
        input_names=["input_ids"],
        output_names=["last_hidden_state"],
        dynamic_axes={"input_ids": {0: "B", 1: "L"}, "last_hidden_state": {0: "B", 1: "L"}},
        out=args.out,
        checks=[(ids(226),), (ids(17),)],
    )


if __name__ == "__main__":
    main()
