#!/usr/bin/env python3
"""HiFi-GAN's generator as reel's hifigan: spec float32 [B, 80, T] (log-mel, hop 256 at 22.05 kHz)
→ audio float32 [B, 1, 256·T] in [−1, 1] — the vocoder after FastPitch.

The architecture is the Generator of the reference implementation (github.com/jik876/hifi-gan,
models.py), imported from a checkout given with --source; reel copies none of it. Weight norm is
removed before export, as the repository's inference.py does.

  python models/export/hifigan.py --source ~/src/hifi-gan --config ~/src/hifi-gan/config_v1.json \\
      --checkpoint generator_v1 --out exports/hifigan.onnx
  python models/export/hifigan.py --source ~/src/hifi-gan --tiny --out test/fixtures/real-arch/hifigan.onnx

--tiny builds V1's layout (resblock 1, kernels 3/7/11, dilations 1/3/5, upsampling 8·8·2·2) at
upsample_initial_channel 32 with seeded random weights (the test fixture). The file is checked with
ONNX Runtime against PyTorch on random mels of two lengths.
"""
import argparse
import json
import os
import sys
import types

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import export_checked  # noqa: E402

TINY = {
    "resblock": "1",
    "upsample_rates": [8, 8, 2, 2],
    "upsample_kernel_sizes": [16, 16, 4, 4],
    "upsample_initial_channel": 32,
    "resblock_kernel_sizes": [3, 7, 11],
    "resblock_dilation_sizes": [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
    "num_mels": 80,
    "hop_size": 256,
    "sampling_rate": 22050,
}


class AttrDict(dict):
    """What the repository's env.AttrDict is: a dict read as attributes."""

    __getattr__ = dict.__getitem__


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="a checkout of github.com/jik876/hifi-gan (its models.py)")
    ap.add_argument("--config", help="the checkpoint's config JSON (config_v1.json, …)")
    ap.add_argument("--checkpoint", help="a generator checkpoint (generator_v1, …)")
    ap.add_argument("--tiny", action="store_true", help="seeded random weights at V1's layout, 32 channels")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not args.tiny and not (args.config and args.checkpoint):
        sys.exit("give --config and --checkpoint, or --tiny")

    sys.path.insert(0, os.path.abspath(args.source))
    # utils.py imports matplotlib for its plotting helper only; the generator needs none of it.
    if "matplotlib" not in sys.modules:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            stub = types.ModuleType("matplotlib")
            stub.use = lambda *a, **k: None
            sys.modules["matplotlib"] = stub
            sys.modules["matplotlib.pylab"] = types.ModuleType("matplotlib.pylab")
    from models import Generator  # the repository's own  # noqa: E402

    torch.manual_seed(0)
    h = AttrDict(TINY if args.tiny else json.load(open(args.config)))
    hop = 1
    for r in h.upsample_rates:
        hop *= r
    if h.get("num_mels", 80) != 80 or hop != 256:
        sys.exit(f"reel's hifigan takes 80 mel bands at hop 256; this config has {h.get('num_mels')} bands, hop {hop}")
    generator = Generator(h)
    if not args.tiny:
        state = torch.load(args.checkpoint, map_location="cpu")
        generator.load_state_dict(state["generator"])
    generator.eval()
    generator.remove_weight_norm()

    gen = torch.Generator().manual_seed(1)
    mel = lambda t: torch.randn(1, 80, t, generator=gen) * 2 - 5  # log-mel levels
    export_checked(
        generator,
        (mel(32),),
        input_names=["spec"],
        output_names=["audio"],
        dynamic_axes={"spec": {0: "B", 2: "T"}, "audio": {0: "B", 2: "T_audio"}},
        out=args.out,
        checks=[(mel(32),), (mel(57),)],
    )


if __name__ == "__main__":
    main()
