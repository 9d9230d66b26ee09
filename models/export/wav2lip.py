#!/usr/bin/env python3
"""Wav2Lip's generator as reel's wav2lip: mel_spectrogram float32 [B, 1, 80, 16] (a 200 ms mel
window, normalised to [−4, 4]) + video_frames float32 [B, 6, 96, 96] (lower-half-masked face crop ‖
reference crop, BGR /255) → output float32 [B, 3, 96, 96], the lip-synced crop, BGR in [0, 1].

The architecture is the `Wav2Lip` class of the reference implementation (github.com/Rudrabha/Wav2Lip,
models/wav2lip.py, built of models/conv.py's blocks), imported from a checkout given with --source;
reel copies none of it. Its forward(audio_sequences, face_sequences) on 4-D inputs is reel's contract
as it is (frames are independent, no temporal state), so the module is exported unwrapped with reel's
names and a dynamic batch. A checkpoint is loaded as the repository's inference.py does:
checkpoint["state_dict"] with "module." removed from the keys (left by DataParallel training).

  python models/export/wav2lip.py --source ~/src/Wav2Lip --checkpoint checkpoints/wav2lip_gan.pth \\
      --out exports/wav2lip.onnx
  python models/export/wav2lip.py --source ~/src/Wav2Lip --tiny --out test/fixtures/real-arch/wav2lip.onnx

--tiny: Wav2Lip's constructor hard-codes its channel widths (36.3 M parameters, far over a fixture's
2 MB). The tiny export constructs the same official class while the building blocks its module
names (Conv2d and Conv2dTranspose of models/conv.py, as imported into models/wav2lip.py, and the
output block's plain nn.Conv2d) are swapped, for the constructor call only, for factories that make
the same blocks with every channel count divided by WIDTH_DIVISOR (16), except the data's own: 1 (the
mel), 6 (the face pair) and 3 (the BGR output). Every layer, kernel, stride, padding, residual and
U-Net skip concatenation of the official wiring is kept — a concatenation's width is the sum of its
parts' and scales with them (1024 = 512 + 512 → 64 = 32 + 32) — and the parameter names are the
official ones. Weights are seeded random; the batch norms' affine parameters and running statistics
too (not the identity they start as), so eval-mode batch norm does work in the fixture. The file is
checked with ONNX Runtime against PyTorch at batch 1 and 3 (exported at batch 2).
"""
import argparse
import contextlib
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import export_checked  # noqa: E402

WIDTH_DIVISOR = 16
# Channel counts that are the data's, not the model's width: mel (1), face pair (6), BGR output (3).
# No internal width of Wav2Lip is one of these (its narrowest layer has 16 channels).
DATA_CHANNELS = (1, 6, 3)


def narrowed(block, divisor):
    """A factory for `block(cin, cout, …)` that divides both channel counts by `divisor`, except the
    data's own."""

    def scale(channels):
        if channels in DATA_CHANNELS:
            return channels
        if channels % divisor:
            sys.exit(f"{block.__name__} with {channels} channels is not divisible by the width divisor {divisor}")
        return channels // divisor

    def build(cin, cout, *args, **kwargs):
        return block(scale(cin), scale(cout), *args, **kwargs)

    return build


class _NarrowNN:
    """torch.nn as models/wav2lip.py sees it, with nn.Conv2d narrowed (the output block's last conv)."""

    def __init__(self, divisor):
        self.Conv2d = narrowed(torch.nn.Conv2d, divisor)

    def __getattr__(self, name):
        return getattr(torch.nn, name)


@contextlib.contextmanager
def narrowed_blocks(module, divisor):
    """Inside: models/wav2lip.py's Conv2d, Conv2dTranspose and nn build channel-divided layers."""
    names = ("Conv2d", "Conv2dTranspose", "nn")
    saved = {name: getattr(module, name) for name in names}
    module.Conv2d = narrowed(saved["Conv2d"], divisor)
    module.Conv2dTranspose = narrowed(saved["Conv2dTranspose"], divisor)
    module.nn = _NarrowNN(divisor)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def randomise_batch_norms(model, gen):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = 1 + 0.2 * (torch.rand(n, generator=gen) - 0.5)
            m.bias.data = 0.1 * torch.randn(n, generator=gen)
            m.running_mean.copy_(0.1 * torch.randn(n, generator=gen))
            m.running_var.copy_(0.5 + torch.rand(n, generator=gen))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="a checkout of github.com/Rudrabha/Wav2Lip (its models/)")
    ap.add_argument("--checkpoint", help="a generator checkpoint (wav2lip.pth, wav2lip_gan.pth, …)")
    ap.add_argument("--tiny", action="store_true", help=f"seeded random weights, every width ÷ {WIDTH_DIVISOR}")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.tiny == bool(args.checkpoint):
        sys.exit("give --checkpoint, or --tiny")

    sys.path.insert(0, os.path.abspath(args.source))
    import models.wav2lip as wav2lip_module  # the repository's own  # noqa: E402
    from models import Wav2Lip  # noqa: E402

    torch.manual_seed(0)
    if args.tiny:
        with narrowed_blocks(wav2lip_module, WIDTH_DIVISOR):
            model = Wav2Lip()
        randomise_batch_norms(model, torch.Generator().manual_seed(2))
    else:
        model = Wav2Lip()
        checkpoint = torch.load(args.checkpoint, map_location="cpu")
        state = checkpoint.get("state_dict", checkpoint)
        model.load_state_dict({k.replace("module.", ""): v for k, v in state.items()})
    model.eval()
    print(f"Wav2Lip{' (widths ÷ %d)' % WIDTH_DIVISOR if args.tiny else ''}: "
          f"{sum(p.numel() for p in model.parameters())} parameters")

    gen = torch.Generator().manual_seed(1)
    mel = lambda b: torch.rand(b, 1, 80, 16, generator=gen) * 8 - 4  # normalised mel, [−4, 4]
    face = lambda b: torch.rand(b, 6, 96, 96, generator=gen)  # BGR / 255
    export_checked(
        model,
        (mel(2), face(2)),
        input_names=["mel_spectrogram", "video_frames"],
        output_names=["output"],
        dynamic_axes={"mel_spectrogram": {0: "B"}, "video_frames": {0: "B"}, "output": {0: "B"}},
        out=args.out,
        checks=[(mel(1), face(1)), (mel(3), face(3))],
    )


if __name__ == "__main__":
    main()
