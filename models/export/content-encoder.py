#!/usr/bin/env python3
"""HuBERT / ContentVec as reel's content-encoder: source float32 [B, 1, N] (16 kHz waveform)
→ features float32 [B, T, D], T = ⌊(N − 400)/320⌋ + 1 — the content features RVC converts.
D is 768 for RVC v2 (layer 12 of a 768-wide HuBERT base) and 256 for RVC v1.

The architecture is transformers' `HubertModel` (the model class of facebook/hubert-base-ls960 and
of ContentVec ports such as lengyue233/content-vec-best); reel copies none of it.

  python models/export/content-encoder.py --checkpoint lengyue233/content-vec-best --out exports/content-encoder.onnx
  python models/export/content-encoder.py --tiny --out test/fixtures/real-arch/content-encoder.onnx

With a checkpoint, --layer N takes the output of transformer layer N (RVC v2 uses 12, the last of a
base model; the default is the last layer). RVC v1 wants 256-wide features from ContentVec's
`final_proj` after layer 9, which `HubertModel` does not have: export v1 encoders from their own
code. --tiny builds HuBERT base's layout (7-conv feature extractor with group norm, positional
convolution, post-norm transformer) at hidden width 256 with one layer and seeded random weights
(the test fixture: 256 wide, so it pairs with an RVC v1 synthesizer). The file is checked with ONNX
Runtime against PyTorch on random audio of two lengths.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import export_checked  # noqa: E402


class ContentFeatures(torch.nn.Module):
    """reel's names and layout around HubertModel: [B, 1, N] in, one layer's states [B, T, D] out."""

    def __init__(self, hubert, layer):
        super().__init__()
        self.hubert = hubert
        self.layer = layer

    def forward(self, source):
        out = self.hubert(source.squeeze(1), output_hidden_states=self.layer is not None)
        return out.last_hidden_state if self.layer is None else out.hidden_states[self.layer]


def tiny_config(HubertConfig):
    return HubertConfig(
        hidden_size=256,
        num_hidden_layers=1,
        num_attention_heads=4,
        intermediate_size=64,
        conv_dim=(16,) * 7,
        conv_kernel=(10, 3, 3, 3, 3, 2, 2),
        conv_stride=(5, 2, 2, 2, 2, 2, 2),
        feat_extract_norm="group",
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=16,
        do_stable_layer_norm=False,
        hidden_dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        feat_proj_dropout=0.0,
        layerdrop=0.0,
        mask_time_prob=0.0,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", help="a HubertModel checkpoint (hub id or folder)")
    ap.add_argument("--layer", type=int, help="take this transformer layer's output (default: the last)")
    ap.add_argument("--tiny", action="store_true", help="seeded random weights, HuBERT base layout at width 256, 1 layer")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not args.tiny and not args.checkpoint:
        sys.exit("give --checkpoint, or --tiny")

    from transformers import HubertConfig, HubertModel

    torch.manual_seed(0)
    if args.tiny:
        hubert = HubertModel(tiny_config(HubertConfig))
    else:
        hubert = HubertModel.from_pretrained(args.checkpoint, attn_implementation="eager", dtype=torch.float32)
    hubert.config._attn_implementation = "eager"  # plain ops, exportable at any length
    hubert.eval()
    if hubert.config.conv_kernel[0] != 10 or list(hubert.config.conv_stride) != [5, 2, 2, 2, 2, 2, 2]:
        sys.exit("reel's content-encoder needs HuBERT's 320-sample hop (strides 5·2·2·2·2·2·2)")
    layers = hubert.config.num_hidden_layers
    if args.layer is not None and not 1 <= args.layer <= layers:
        sys.exit(f"--layer {args.layer}: this model has layers 1..{layers}")
    model = ContentFeatures(hubert, None if args.layer in (None, layers) else args.layer)

    gen = torch.Generator().manual_seed(1)
    audio = lambda n: torch.randn(1, 1, n, generator=gen) * 0.1
    export_checked(
        model,
        (audio(16000),),
        input_names=["source"],
        output_names=["features"],
        dynamic_axes={"source": {0: "B", 2: "N"}, "features": {0: "B", 1: "T"}},
        out=args.out,
        checks=[(audio(16000),), (audio(27_520),)],
    )


if __name__ == "__main__":
    main()
