#!/usr/bin/env python3
"""EnCodec's decoder as reel's vallex-codec: codes int64 [8, 1, T] → audio float32 [1, 1, 320·T],
24 kHz — the codec VALL-E X speaks in (8 codebooks of 1024 at 6 kbps, 75 code frames a second).

The architecture is transformers' EncodecModel (its residual vector quantizer's decode, then its
SEANet decoder with the LSTM); the wrapper only fixes reel's names and layout.

  python models/export/vallex-codec.py --checkpoint facebook/encodec_24khz --out exports/vallex-codec.onnx
  python models/export/vallex-codec.py --tiny --out test/fixtures/real-arch/vallex-codec.onnx

--checkpoint is a folder (or a Hugging Face id already in the local cache) that
EncodecModel.from_pretrained reads. --tiny builds the same architecture with seeded random weights
at a small width (the test fixture). The file is checked with ONNX Runtime against PyTorch on random
codes of two lengths.
"""
import argparse
import os
import sys

import torch
from transformers import EncodecConfig, EncodecModel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import export_checked  # noqa: E402

TINY = dict(
    target_bandwidths=[6.0],
    sampling_rate=24000,
    audio_channels=1,
    hidden_size=16,
    num_filters=4,
    num_residual_layers=1,
    upsampling_ratios=[8, 5, 4, 2],
    codebook_size=1024,
)


class CodesToAudio(torch.nn.Module):
    """reel's contract around EncodecModel: codes [n_q, 1, T] → audio [1, 1, hop·T]."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, codes):
        embeddings = self.model.quantizer.decode(codes)  # [1, D, T]
        return self.model.decoder(embeddings)  # [1, 1, hop·T]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="EncodecModel.from_pretrained folder or cached id (24 kHz model)")
    src.add_argument("--tiny", action="store_true", help="seeded random weights at a small width (test fixture)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    torch.manual_seed(0)
    model = EncodecModel(EncodecConfig(**TINY)) if args.tiny else EncodecModel.from_pretrained(args.checkpoint)
    config = model.config
    hop = 1
    for r in config.upsampling_ratios:
        hop *= r
    if config.sampling_rate != 24000 or hop != 320 or model.quantizer.num_quantizers < 8:
        sys.exit(f"reel's vallex-codec is 24 kHz, hop 320, 8 codebooks; this model is {config.sampling_rate} Hz, hop {hop}, {model.quantizer.num_quantizers} codebooks")
    model.quantizer.layers = model.quantizer.layers[:8]  # 6 kbps: the 8 codebooks VALL-E X uses

    gen = torch.Generator().manual_seed(1)
    codes = lambda t: torch.randint(0, config.codebook_size, (8, 1, t), generator=gen)
    export_checked(
        CodesToAudio(model),
        (codes(75),),
        input_names=["codes"],
        output_names=["audio"],
        dynamic_axes={"codes": {2: "T"}, "audio": {2: "N"}},
        out=args.out,
        checks=[(codes(75),), (codes(113),)],
    )


if __name__ == "__main__":
    main()
