#!/usr/bin/env python3
"""RVC's synthesizer as reel's rvc: phone [1, T, D], phone_lengths [1], pitch int64 [1, T],
pitchf [1, T], ds int64 [1], rnd [1, 192, T] → audio [1, 1, hop·T] — the voice conversion itself.

The architecture is the WebUI's own ONNX class, `SynthesizerTrnMsNSFsidM`
(infer/lib/infer_pack/models_onnx.py of github.com/RVC-Project/Retrieval-based-Voice-Conversion-WebUI),
imported from a checkout given with --source; reel copies none of it. The export follows the WebUI's
infer/modules/onnx/export.py: the same class, input names and dynamic axes, float32.

  python models/export/rvc.py --source ~/src/rvc-webui --checkpoint assets/weights/voice.pth --out exports/rvc.onnx
  python models/export/rvc.py --source ~/src/rvc-webui --tiny --version v2 --out test/fixtures/real-arch/rvc.onnx
  python models/export/rvc.py --source ~/src/rvc-webui --tiny --version v1 --out test/fixtures/real-arch/rvc-v1.onnx

v2 models take 768-wide content features, v1 models 256-wide. --tiny builds the 40 kHz layout
(text encoder with relative-position attention, 4 coupling flows, NSF-HiFiGAN upsampling 10·10·2·2)
at hidden width 16 and 32 generator channels with seeded random weights (the test fixtures).

The NSF source adds Gaussian noise inside the model (torch.randn_like), which ONNX Runtime and
PyTorch draw differently; the check therefore runs on a second export made with that noise set to
zero, and the file written to --out keeps the noise as the WebUI's export does.
"""
import argparse
import contextlib
import os
import sys
import tempfile
import types

import onnx
import onnxruntime as ort
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import _export, export_checked  # noqa: E402

INPUTS = ["phone", "phone_lengths", "pitch", "pitchf", "ds", "rnd"]
DYNAMIC = {"phone": {1: "T"}, "pitch": {1: "T"}, "pitchf": {1: "T"}, "rnd": {2: "T"}, "audio": {2: "T_audio"}}


def tiny_config(version):
    """The WebUI's config list for a 40 kHz model (configs/v2/40k.json order), made narrow."""
    return [
        1025,  # spec_channels (posterior encoder: training only)
        32,  # segment_size
        192,  # inter_channels: reel's rnd is [1, 192, T]
        16,  # hidden_channels
        32,  # filter_channels
        2,  # n_heads
        1,  # n_layers
        3,  # kernel_size
        0,  # p_dropout
        "1",  # resblock
        [3, 7, 11],
        [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
        [10, 10, 2, 2],  # upsample_rates: hop 400 at 40 kHz
        32,  # upsample_initial_channel
        [16, 16, 4, 4],
        4,  # spk_embed_dim (speakers)
        16,  # gin_channels
        40000,
    ]


@contextlib.contextmanager
def without_noise():
    """torch.randn_like → zeros while tracing and checking (see the module docstring)."""
    randn_like = torch.randn_like
    torch.randn_like = lambda t, *a, **k: torch.zeros_like(t)
    try:
        yield
    finally:
        torch.randn_like = randn_like


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="a checkout of the RVC WebUI (its infer/lib/infer_pack)")
    ap.add_argument("--checkpoint", help="a voice model .pth as the WebUI saves it (config, weight, version)")
    ap.add_argument("--tiny", action="store_true", help="seeded random weights at the 40 kHz layout, narrow")
    ap.add_argument("--version", choices=["v1", "v2"], default="v2", help="with --tiny: 256- or 768-wide features")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not args.tiny and not args.checkpoint:
        sys.exit("give --checkpoint, or --tiny")

    sys.path.insert(0, os.path.abspath(args.source))
    # modules.py imports scipy without using it in the synthesizer.
    try:
        import scipy  # noqa: F401
    except ImportError:
        sys.modules["scipy"] = types.ModuleType("scipy")
    from infer.lib.infer_pack.models_onnx import SynthesizerTrnMsNSFsidM  # the WebUI's own  # noqa: E402

    torch.manual_seed(0)
    if args.tiny:
        config, version, weights = tiny_config(args.version), args.version, None
    else:
        cpt = torch.load(args.checkpoint, map_location="cpu", weights_only=True)  # plain data; runs no code
        config, version, weights = list(cpt["config"]), cpt.get("version", "v1"), cpt["weight"]
        config[-3] = weights["emb_g.weight"].shape[0]  # as export.py: speakers from the table
        if not cpt.get("f0", 1):
            sys.exit("reel's rvc takes pitch; this is a model without F0 (the WebUI's _nono classes)")
    if config[2] != 192:
        sys.exit(f"reel's rvc feeds rnd [1, 192, T]; this model's inter_channels is {config[2]}")
    net = SynthesizerTrnMsNSFsidM(*config, is_half=False, version=version)
    if weights is not None:
        # The WebUI saves voices without the posterior encoder (enc_q, training only); anything
        # else missing or left over means another class or layout: refuse rather than export noise.
        result = net.load_state_dict(weights, strict=False)
        missing = [k for k in result.missing_keys if not k.startswith("enc_q.")]
        if missing or result.unexpected_keys:
            sys.exit(f"{args.checkpoint}: weights do not fit the {version} synthesizer: "
                     f"missing {missing[:5]}, unexpected {result.unexpected_keys[:5]}")
    net.eval()
    # The ONNX class's attention (attentions_onnx.py) does its length arithmetic in tensors, so it
    # runs only while tracing; PyTorch's side of the check is the same class built on the WebUI's
    # eager attentions.py (the same maths with Python ints), with the same weights.
    import infer.lib.infer_pack.attentions as eager_attentions  # noqa: E402
    import infer.lib.infer_pack.models_onnx as models_onnx  # noqa: E402

    onnx_attentions, models_onnx.attentions = models_onnx.attentions, eager_attentions
    try:
        reference = SynthesizerTrnMsNSFsidM(*config, is_half=False, version=version)
    finally:
        models_onnx.attentions = onnx_attentions
    reference.load_state_dict(net.state_dict())
    reference.eval()
    dim = 256 if version == "v1" else 768

    gen = torch.Generator().manual_seed(1)

    def example(t):
        return (
            torch.randn(1, t, dim, generator=gen),
            torch.tensor([t], dtype=torch.long),
            torch.randint(1, 256, (1, t), generator=gen),
            torch.rand(1, t, generator=gen) * 200 + 100,
            torch.tensor([0], dtype=torch.long),
            torch.randn(1, 192, t, generator=gen) * 0.66666,
        )

    with without_noise(), tempfile.TemporaryDirectory() as tmp:
        export_checked(
            net, example(40), INPUTS, ["audio"], DYNAMIC, os.path.join(tmp, "checked.onnx"),
            checks=[example(40), example(73)], opset=18, reference=reference,
        )
    with torch.no_grad():
        exporter = _export(net, example(40), INPUTS, ["audio"], DYNAMIC, args.out, 18)
    # The written file (noise kept) is valid and gives hop · T samples at another length.
    onnx.checker.check_model(args.out)
    feeds = {n: t.numpy() for n, t in zip(INPUTS, example(57))}
    (audio,) = ort.InferenceSession(args.out, providers=["CPUExecutionProvider"]).run(["audio"], feeds)
    hop = int(torch.tensor(config[12]).prod().item())
    if audio.shape != (1, 1, hop * 57):
        sys.exit(f"{args.out}: gives audio {audio.shape} for 57 frames; expected (1, 1, {hop * 57})")
    print(f"{args.out}: {version}, {dim}-wide features, {config[-1]} Hz, hop {hop}, {exporter} exporter (NSF noise kept)")


if __name__ == "__main__":
    main()
