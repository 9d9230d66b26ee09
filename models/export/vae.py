#!/usr/bin/env python3
"""CogVideoX's VAE decoder as reel's vae, without a conv cache: latents float32 [B, 16, f, h, w]
(DiT latents / scaling_factor, channels first) → frames float32 [B, 3, F_out, 8h, 8w], F_out =
4(f − 1) + 1 for odd f, 4f for even f — the last stage of text-to-video.

The architecture is diffusers' AutoencoderKLCogVideoX (github.com/huggingface/diffusers,
models/autoencoders/autoencoder_kl_cogvideox.py): its post_quant_conv (if any) and decoder,
imported from a checkout's src/ given with --source, or from the installed diffusers; reel copies
none of it. The decoder runs without conv_cache (the contract's optional input): each causal conv
pads time with its input's first frame, as diffusers does for a clip's first batch, and reel decodes
in windows with `contextLatentFrames` of left context. Its output is the decoder's own, unclamped,
as AutoencoderKLCogVideoX.decode returns it (reel's frames-to-rgb clamps, as diffusers'
postprocessing does).

  python models/export/vae.py --source ~/src/diffusers/src --checkpoint THUDM/CogVideoX-2b \\
      --subfolder vae --out exports/vae.onnx
  python models/export/vae.py --source ~/src/diffusers/src --tiny --out test/fixtures/real-arch/vae.onnx

The decoder branches in Python on the parity of the frame count (CogVideoXUpsample3D and
CogVideoXSpatialNorm3D treat the first frame of an odd count apart: 1 frame out instead of 4), so
one trace holds one branch (torch.export cannot take the decoder with symbolic sizes: its
CogVideoXSafeConv3d tests the input's size in GiB, so the TorchScript exporter traces it). The
script exports the decoder twice, traced at an odd and at an even f (each dynamic in B, f, h, w
and checked with ONNX Runtime against PyTorch at three inputs of its parity), and joins the two
graphs under one ONNX If on f mod 2 — the branch the model's own code takes (f = 1 goes the odd
way, which gives its one frame) — with the weights the two share stored once; the joined file is
checked at f = 1…8 against PyTorch float64.
--parity odd|even writes one branch alone.

--tiny builds the CogVideoX layout (16 latent channels, 4 up blocks: 3 upsamplings for 8× space,
the first 2 also 2× in time for 4×; spatially conditioned GroupNorm; causal 3-D convs) at
block_out_channels (8, 8, 16, 16), layers_per_block 1, norm_num_groups 4, with seeded random
weights (the test fixture).
"""
import argparse
import copy
import hashlib
import os
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import export_checked  # noqa: E402
from dit import import_diffusers  # noqa: E402 — diffusers from --source or installed

TINY = dict(
    in_channels=3,
    out_channels=3,
    block_out_channels=(8, 8, 16, 16),
    latent_channels=16,
    layers_per_block=1,
    norm_num_groups=4,
    temporal_compression_ratio=4,
)
REEL_SCALING_FACTOR = 1.15258426  # the vae stage's default scalingFactor (CogVideoX-2B)
# ONNX Runtime's float32 frames are further from a float64 PyTorch run than PyTorch's float32 ones
# (on the tiny decoder: 3.9e-6 against 3.8e-6 at f = 1, 1.5e-4 against 9.6e-6 at f = 2, 1.45e-3
# against 8.4e-6 at f = 8 with |x| up to 9.8): on par at one frame, apart as the frames a
# GroupNorm group sums over grow (~10⁶ values), as the float32 sums of its InstanceNormalization
# (the TorchScript exporter's GroupNorm) would be; the gap grows about tenfold from f = 4 to 8. A
# wrong trace is off by O(|x|). export_checked's absolute bound and check_file's REL_TOL (of
# max |x|; the largest seen is 1.5e-4, at f = 8) sit between the two, with room for longer runs.
TOL = 1e-2
REL_TOL = 2e-3


class DecoderForReel(torch.nn.Module):
    """reel's contract around AutoencoderKLCogVideoX's decoder: one call, no conv cache."""

    def __init__(self, vae):
        super().__init__()
        self.post_quant_conv = vae.post_quant_conv
        self.decoder = vae.decoder

    def forward(self, latents):
        if self.post_quant_conv is not None:
            latents = self.post_quant_conv(latents)
        frames, _conv_cache = self.decoder(latents)
        return frames


def frames_out(f):
    return 4 * f - 3 * (f % 2)


def join_parities(odd_path, even_path, out):
    """One model whose If on (f mod 2 == 1) runs the odd-traced graph, else the even-traced one. Both
    read the outer `latents`; their initializers move to the outer graph, one copy per content."""
    odd, even = onnx.load(odd_path), onnx.load(even_path)
    if {(o.domain, o.version) for o in odd.opset_import} != {(o.domain, o.version) for o in even.opset_import}:
        sys.exit("the odd and even exports import different opsets")
    outer, by_content = [], {}

    def branch(model, tag):
        g = model.graph
        for node in g.node:
            if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) for a in node.attribute):
                sys.exit(f"the {tag} export has a subgraph ({node.op_type}); joining it is not supported")
        if [i.name for i in g.input] != ["latents"] or [o.name for o in g.output] != ["frames"]:
            sys.exit(f"the {tag} export has inputs {[i.name for i in g.input]}, outputs {[o.name for o in g.output]}")
        weights = {}
        for t in g.initializer:
            array = numpy_helper.to_array(t)
            key = (t.data_type, tuple(t.dims), hashlib.sha256(array.tobytes()).hexdigest())
            if key not in by_content:
                name = t.name if t.name not in {w.name for w in outer} else f"{tag}/{t.name}"
                shared = numpy_helper.from_array(array, name)
                outer.append(shared)
                by_content[key] = name
            weights[t.name] = by_content[key]
        rename = lambda n: n if n in ("", "latents") else weights.get(n, f"{tag}/{n}")  # noqa: E731
        nodes = []
        for node in g.node:
            copy = onnx.NodeProto()
            copy.CopyFrom(node)
            copy.input[:] = [rename(n) for n in node.input]
            copy.output[:] = [rename(n) for n in node.output]
            copy.name = f"{tag}/{node.name}" if node.name else ""
            nodes.append(copy)
        output = onnx.ValueInfoProto()
        output.CopyFrom(g.output[0])
        output.name = rename(output.name)
        infos = []
        for vi in g.value_info:
            if vi.name in weights or vi.name == "latents":
                continue
            copy = onnx.ValueInfoProto()
            copy.CopyFrom(vi)
            copy.name = rename(vi.name)
            infos.append(copy)
        return helper.make_graph(nodes, f"{tag}_frames", [], [output], value_info=infos)

    then_branch, else_branch = branch(odd, "odd"), branch(even, "even")
    consts = [
        numpy_helper.from_array(np.array(2, dtype=np.int64), "parity/frames_axis"),
        numpy_helper.from_array(np.array(2, dtype=np.int64), "parity/two"),
        numpy_helper.from_array(np.array(1, dtype=np.int64), "parity/one"),
    ]
    nodes = [
        helper.make_node("Shape", ["latents"], ["parity/shape"], name="parity/Shape"),
        helper.make_node("Gather", ["parity/shape", "parity/frames_axis"], ["parity/f"], name="parity/Gather", axis=0),
        helper.make_node("Mod", ["parity/f", "parity/two"], ["parity/f_mod_2"], name="parity/Mod"),
        helper.make_node("Equal", ["parity/f_mod_2", "parity/one"], ["parity/odd"], name="parity/Equal"),
        helper.make_node(
            "If", ["parity/odd"], ["frames"], name="parity/If", then_branch=then_branch, else_branch=else_branch
        ),
    ]
    graph = helper.make_graph(
        nodes,
        "cogvideox_vae_decoder",
        [helper.make_tensor_value_info("latents", TensorProto.FLOAT, ["B", 16, "f", "h", "w"])],
        [helper.make_tensor_value_info("frames", TensorProto.FLOAT, ["B", 3, "F_out", "H", "W"])],
        initializer=outer + consts,
    )
    model = helper.make_model(graph, opset_imports=list(odd.opset_import), producer_name=odd.producer_name)
    model.ir_version = odd.ir_version
    seen = set()
    for fn in list(odd.functions) + list(even.functions):
        if (fn.domain, fn.name, fn.overload) not in seen:
            seen.add((fn.domain, fn.name, fn.overload))
            model.functions.append(fn)
    onnx.checker.check_model(model)
    onnx.save(model, out)
    params = sum(int(np.prod(t.dims)) for t in outer)
    print(f"{out}: {os.path.getsize(out) / 2**20:.2f} MiB, {params} parameters (odd and even branches share them)")


def check_file(module, path, shapes):
    """ONNX Runtime and PyTorch float32 against PyTorch float64 on random latents of each shape, and
    the frame count against the contract: ONNX Runtime may be REL_TOL of the largest value away."""
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    exact_module = copy.deepcopy(module).double()
    gen = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for shape in shapes:
            latents = torch.randn(*shape, generator=gen)
            expected = module(latents).numpy()
            exact = exact_module(latents.double()).numpy()
            (got,) = session.run(["frames"], {"latents": latents.numpy()})
            b, _, f, h, w = shape
            want = (b, 3, frames_out(f), 8 * h, 8 * w)
            if got.shape != expected.shape or got.shape != want:
                sys.exit(f"{path}: f = {f} gives {got.shape} (PyTorch {expected.shape}, contract {want})")
            ort_error, torch_error = float(np.abs(got - exact).max()), float(np.abs(expected - exact).max())
            print(
                f"  latents {list(shape)} → frames {list(got.shape)}: max |x| {np.abs(exact).max():.3g}; "
                f"max error against float64: ONNX Runtime {ort_error:.3g}, PyTorch float32 {torch_error:.3g}; "
                f"max |ONNX Runtime − PyTorch| {np.abs(got - expected).max():.3g}"
            )
            if ort_error > REL_TOL * np.abs(exact).max():
                sys.exit(f"{path}: at f = {f} ONNX Runtime is {ort_error:.3g} from float64 (> {REL_TOL} of max |x|)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", help="a diffusers checkout's src/ folder (default: the installed diffusers)")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="AutoencoderKLCogVideoX.from_pretrained folder or cached id")
    src.add_argument("--tiny", action="store_true", help="seeded random weights at a small width (test fixture)")
    ap.add_argument("--subfolder", help="the VAE's folder inside --checkpoint (vae)")
    ap.add_argument("--parity", choices=["both", "odd", "even"], default="both", help="the f the file decodes")
    ap.add_argument("--size", type=int, nargs=2, default=[20, 32], metavar=("h", "w"), help="latent size traced")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    diffusers = import_diffusers(args.source)
    torch.manual_seed(0)
    if args.tiny:
        vae = diffusers.AutoencoderKLCogVideoX(**TINY)
    else:
        kwargs = {"subfolder": args.subfolder} if args.subfolder else {}
        vae = diffusers.AutoencoderKLCogVideoX.from_pretrained(args.checkpoint, **kwargs)
    vae.eval()
    config = vae.config
    if config.latent_channels != 16 or len(config.block_out_channels) != 4 or config.temporal_compression_ratio != 4:
        sys.exit("reel's vae takes 16 latent channels, 8× space and 4× time (4 blocks, temporal ratio 4)")
    if config.scaling_factor != REEL_SCALING_FACTOR or config.shift_factor or config.latents_mean:
        print(
            f"note: this VAE's latents are scaled by {config.scaling_factor} (shift {config.shift_factor}, "
            f"mean {config.latents_mean}): set the vae stage's scalingFactor to it (reel divides by "
            f"{REEL_SCALING_FACTOR} by default and applies no shift or mean)"
        )
    module = DecoderForReel(vae).eval()
    print(
        f"AutoencoderKLCogVideoX decoder: block_out_channels {tuple(config.block_out_channels)}, "
        f"layers_per_block {config.layers_per_block}, norm_num_groups {config.norm_num_groups}; "
        f"{sum(p.numel() for p in module.parameters())} parameters"
    )

    h, w = args.size
    gen = torch.Generator().manual_seed(1)
    latents = lambda b, f, hh=h, ww=w: (torch.randn(b, 16, f, hh, ww, generator=gen),)  # noqa: E731
    axes = {"latents": {0: "B", 2: "f", 3: "h", 4: "w"}, "frames": {0: "B", 2: "F_out", 3: "H", 4: "W"}}
    # Traced at B 2 (torch.export's dynamic dims start at 2); reel decodes B 1. Each branch is checked
    # at two sizes of its parity: reel's text-to-video feeds f 3 (first run) and 5 (2 + 3 of context).
    plans = {
        "odd": (latents(2, 5), [latents(1, 3), latents(1, 5), latents(2, 7, h // 2 + 2, w // 2 + 2)]),
        "even": (latents(2, 4), [latents(1, 2), latents(1, 8), latents(2, 6, h // 2 + 2, w // 2 + 2)]),
    }

    def export(parity, out):
        example, checks = plans[parity]
        export_checked(module, example, ["latents"], ["frames"], axes, out, checks, tol=TOL)

    if args.parity != "both":
        export(args.parity, args.out)
        check_file(module, args.out, [(1, 16, f, h, w) for f in ((1, 3, 5) if args.parity == "odd" else (2, 8))])
        return
    with tempfile.TemporaryDirectory() as tmp:
        odd, even = os.path.join(tmp, "odd.onnx"), os.path.join(tmp, "even.onnx")
        export("odd", odd)
        export("even", even)
        join_parities(odd, even, args.out)
    shapes = [(1, 16, f, h, w) for f in (2, 3, 4, 5, 8, 1)] + [(2, 16, f, h // 2 + 2, w // 2 + 2) for f in (6, 7)]
    check_file(module, args.out, shapes)


if __name__ == "__main__":
    main()
