#!/usr/bin/env python3
"""The Ultra-Light face detector as reel's face-detect: input float32 [1, 3, 240, 320] (RGB,
(x − 127)/128) → scores [1, 4420, 2] (background, face) and boxes [1, 4420, 4] (corners in [0, 1]).

The architecture is the detector's own (github.com/Linzaer/Ultra-Light-Fast-Generic-Face-Detector-1MB,
vision/ssd: `create_Mb_Tiny_RFB_fd` or the slim `create_mb_tiny_fd`, built in test mode so that the
graph ends in softmax scores and decoded corner boxes, as the repository's convert_to_onnx.py
exports it), imported from a checkout given with --source; reel copies none of it.

  python models/export/face-detect.py --source ~/src/ultra-light --net RFB --checkpoint my-retrained-rfb-320.pth --out exports/face-detect.onnx
  python models/export/face-detect.py --source ~/src/ultra-light --net RFB --out test/fixtures/real-arch/face-detect.onnx

Without --checkpoint the repository's own pretrained weights for the net are used
(models/pretrained/version-RFB-320.pth, MIT): this family's fixture is a real detector. reel's
contract is the 320×240 input (4420 priors); the repository's 640 configuration has other priors.
The file is checked with ONNX Runtime against PyTorch on two random images.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import export_checked  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="a checkout of Ultra-Light-Fast-Generic-Face-Detector-1MB")
    ap.add_argument("--net", choices=["RFB", "slim"], default="RFB")
    ap.add_argument("--checkpoint", help="a .pth state dict (default: the repository's pretrained 320 model)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    source = os.path.abspath(args.source)
    sys.path.insert(0, source)
    from vision.ssd.config.fd_config import define_img_size  # the repository's own  # noqa: E402

    define_img_size(320)  # before the model modules read the priors, as convert_to_onnx.py does
    from vision.ssd.mb_tiny_RFB_fd import create_Mb_Tiny_RFB_fd  # noqa: E402
    from vision.ssd.mb_tiny_fd import create_mb_tiny_fd  # noqa: E402

    labels = [line.strip() for line in open(os.path.join(source, "models/voc-model-labels.txt")) if line.strip()]
    create = create_Mb_Tiny_RFB_fd if args.net == "RFB" else create_mb_tiny_fd
    net = create(len(labels), is_test=True, device="cpu")
    checkpoint = args.checkpoint or os.path.join(source, f"models/pretrained/version-{args.net}-320.pth")
    net.load_state_dict(torch.load(checkpoint, map_location="cpu"))
    net.eval()
    if net.priors.shape[0] != 4420 or len(labels) != 2:
        sys.exit(f"reel's face-detect takes 4420 priors and 2 classes; this net has {net.priors.shape[0]} and {len(labels)}")

    gen = torch.Generator().manual_seed(1)
    image = lambda: (torch.rand(1, 3, 240, 320, generator=gen) * 255 - 127) / 128
    export_checked(
        net,
        (image(),),
        input_names=["input"],
        output_names=["scores", "boxes"],
        dynamic_axes={},
        out=args.out,
        checks=[(image(),), (image(),)],
    )


if __name__ == "__main__":
    main()
