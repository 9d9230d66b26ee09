#!/usr/bin/env python3
"""VALL-E X's two decoders as reel's vallex-ar and vallex-nar (the axinc-ai/VALL-E-X ONNX split):

  vallex-ar:  xy_pos f32 [1, L, D], mask bool [S, S], past_kv f32 [layers, 2, 1, heads, P, head_dim],
              offset i64 [] (= P) → logits f32 [1, 1025] (last position; 1024 = EOS),
              kv_cache f32 [layers, 2, 1, heads, P + L, head_dim]
  vallex-nar: xy_pos f32 [1, L, D], offset i64 [] (NAR stage 0..6) → logits f32 [1, L, 1024]
              (codebook offset + 2 at every position)

The architecture is VALL-E X's own `VALLE` (github.com/Plachtaa/VALL-E-X, models/vallex.py with
modules/transformer.py and modules/activation.py), imported from a checkout given with --source;
reel copies none of it. The wrappers only fit reel's contract around the official modules:

- AR: `ar_decoder.infer` (the repository's KV-cached pass, the one `VALLE.inference` uses) and
  `ar_predict_layer` on the last position. The cache goes in and out as one tensor in the layout
  of the official per-layer (key, value) tuples stacked: [layers, 2, 1, heads, P, head_dim], as
  axinc's `export_decoder` has it; axinc writes into a fixed-size cache at `offset`, reel's grows by
  concatenation as the official `infer` does. The whole-sequence mask is cut to its first
  offset + L rows and columns (the official attention then takes the last L rows), so `offset`
  must equal P.
- NAR: `nar_decoder` (TransformerEncoder with AdaptiveLayerNorm) with the stage embedding
  `nar_stage_embeddings[offset]`, then `nar_predict_layers[offset]` — axinc's nar_decoder.onnx and
  nar_predict_layers.onnx folded into one graph; the stage's embedding and predict matrix are
  gathered by `offset` rather than computed for all 7 stages and selected. The decoder's layers run
  through their own `infer` (the repository's attention, as in the AR): torch's MultiheadAttention,
  which the layers' `forward` calls, is traced by the TorchScript exporter (torch 2.11) with the
  example's sequence length fixed in a Reshape — the problem axinc's export notes (it edits torch's
  functional.py; github.com/axinc-ai/ailia-models issue 1236). The result is checked against the
  official `forward`.

Embeddings, language embeddings and sine positions sit outside both graphs (as in the axinc split);
reel computes `xy_pos` itself (stages/vallex/embeddings.ts). --tables writes the checkpoint's
tables for that (an .npz; see the notes at the end of this docstring).

  python models/export/vallex.py --source ~/src/VALL-E-X --checkpoint checkpoints/vallex-checkpoint.pt \\
      --part ar --out exports/vallex-ar.onnx --tables exports/vallex-tables.npz
  python models/export/vallex.py --source ~/src/VALL-E-X --checkpoint checkpoints/vallex-checkpoint.pt \\
      --part nar --out exports/vallex-nar.onnx
  python models/export/vallex.py --source ~/src/VALL-E-X --tiny --part ar --out test/fixtures/real-arch/vallex-ar.onnx
  python models/export/vallex.py --source ~/src/VALL-E-X --tiny --part nar --out test/fixtures/real-arch/vallex-nar.onnx

(--part both --out DIR writes DIR/vallex-ar.onnx and DIR/vallex-nar.onnx.) The real model's size
comes from the checkout's macros.py (N_DIM 1024, NUM_HEAD 16, NUM_LAYERS 12, PREFIX_MODE 1).

--tiny builds the same VALLE at d_model 32, 2 heads, 2 layers (AR and NAR; the FFN is the
architecture's 4 × d_model = 128) with seeded random weights: the test fixtures. One change to the
random weights: the AR's final LayerNorm bias is 0.5 and the predict layer's EOS row is −1 in every
channel, so the EOS logit is −16 at every position (a LayerNorm output sums to 0) and the random
decoding runs to the stage's 16 × text-length guard, as reel's reference model does.

Checks, with ONNX Runtime against PyTorch: AR on a first call (P = 0, the whole text ‖ BOS ‖
prompt) and on the next single-token call fed the first call's cache, at two text/prompt lengths;
the cached step must equal the uncached pass over the whole sequence at that position (the
wrapper at P = 0 and the official `ar_decoder.forward`), in PyTorch and in ONNX Runtime. NAR at two
lengths (40, 67) and stages 0, 3 and 6, also against the official modules called as
`VALLE.inference` calls them.

Notes for a real checkpoint (reel side): the released model was trained with PREFIX_MODE 1, where
the NAR's prompt positions carry the sum of all 8 prompt codebooks from the first stage on
(`VALLE.inference`); the positions' `alpha` of the AR text/audio SinePositionalEmbedding is learned
(--tables writes it); the text tokens are BPE over IPA phonemes (utils/g2p, bpe_69.json) and the
prompt codes come from EnCodec's encoder — none of which is in the ONNX graphs.
"""
import argparse
import os
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import export_checked  # noqa: E402

TINY = dict(d_model=32, nhead=2, num_layers=2)
NUM_AUDIO_TOKENS = 1024  # models/macros.py; checked against the source below


def import_vallex(source):
    """The checkout's VALLE and its macros. models/vallex.py imports PromptedFeatures (training data,
    lhotse) and models/visualizer.py matplotlib; neither is used for inference, so they are stubbed
    where missing."""
    sys.path.insert(0, os.path.abspath(source))
    try:
        import data.input_strategies  # noqa: F401
    except Exception:  # noqa: BLE001 — absent, or lhotse missing
        data = types.ModuleType("data")
        data.__path__ = []
        strategies = types.ModuleType("data.input_strategies")
        strategies.PromptedFeatures = type("PromptedFeatures", (), {})
        data.input_strategies = strategies
        sys.modules["data"] = data
        sys.modules["data.input_strategies"] = strategies
    try:
        import matplotlib.pyplot  # noqa: F401
    except ImportError:
        mpl = types.ModuleType("matplotlib")
        mpl.pyplot = types.ModuleType("matplotlib.pyplot")
        sys.modules["matplotlib"] = mpl
        sys.modules["matplotlib.pyplot"] = mpl.pyplot
    import macros  # the checkout's top-level macros.py  # noqa: E402
    from models.macros import NUM_AUDIO_TOKENS as audio_tokens  # noqa: E402
    from models.vallex import VALLE  # the repository's own  # noqa: E402

    if audio_tokens != NUM_AUDIO_TOKENS:
        sys.exit(f"reel's VALL-E X has 1024 codes per codebook (EOS 1024); this source has {audio_tokens}")
    return VALLE, macros


class ArStep(torch.nn.Module):
    """One step of VALL-E X's AR decoder with an explicit cache (reel's vallex-ar contract)."""

    def __init__(self, model):
        super().__init__()
        self.decoder = model.ar_decoder
        self.predict = model.ar_predict_layer

    def forward(self, xy_pos, mask, past_kv, offset):
        # The official attention cuts the mask at the cache's length (rows P..P+L, columns 0..P+L);
        # passing the first offset + L rows and columns makes it the same cut when offset = P.
        seen = torch.arange(offset + xy_pos.shape[1])
        mask = mask.index_select(0, seen).index_select(1, seen)
        # past_kv[i] = (key, value) of layer i, each [1, heads, P, head_dim]: what `infer` indexes.
        xy_dec, kv = self.decoder.infer(xy_pos, mask=mask, past_kv=past_kv, use_cache=True)
        logits = self.predict(xy_dec[:, -1])
        return logits, torch.stack([torch.stack(layer) for layer in kv])


class NarStage(torch.nn.Module):
    """VALL-E X's NAR decoder and predict layer of stage `offset` (reel's vallex-nar contract)."""

    def __init__(self, model):
        super().__init__()
        self.decoder = model.nar_decoder
        self.stage_embeddings = model.nar_stage_embeddings
        self.predict_layers = model.nar_predict_layers
        # The official attention cuts its mask to [L, L]; a [1, 1] False one broadcasts: no masking.
        self.register_buffer("attend_all", torch.zeros(1, 1, dtype=torch.bool), persistent=False)

    def forward(self, xy_pos, offset):
        stage = offset.reshape(1)
        # nar_stage_embeddings[i].weight is [1, D]; nar_predict_layers[i] a bias-free Linear.
        embedding = torch.cat([e.weight for e in self.stage_embeddings]).index_select(0, stage)
        # nar_decoder((xy_pos, embedding)) layer by layer through each layer's own `infer`: the
        # repository's attention (the AR's, here without cache and with nothing masked) rather than
        # torch's MultiheadAttention, whose traced reshape keeps the example's length (the problem
        # axinc's export notes); the same function (checked against `forward` below).
        x = xy_pos
        for layer in self.decoder.layers:
            x, _ = layer.infer((x, embedding), src_mask=self.attend_all)
        xy_dec, _ = self.decoder.norm((x, embedding))
        weight = torch.stack([p.weight for p in self.predict_layers]).index_select(0, stage)[0]
        return F.linear(xy_dec, weight)


def ar_mask(text_len, total):
    """VALL-E's inference mask (models/vallex.py): text attends to text, audio to text and to audio
    up to itself; True = masked. Built for `total` positions, as reel builds it once per sentence."""
    x_mask = F.pad(torch.zeros((text_len, text_len), dtype=torch.bool), (0, total - text_len), value=True)
    y_len = total - text_len
    y_mask = F.pad(torch.triu(torch.ones(y_len, y_len, dtype=torch.bool), diagonal=1), (text_len, 0), value=False)
    return torch.concat([x_mask, y_mask], dim=0)


def ar_inputs(model, text, y):
    """xy_pos of the whole sequence as `VALLE.inference` makes it (text + language embedding and
    positions; BOS ‖ prompt ‖ generated audio embedding and positions)."""
    with torch.no_grad():
        x = model.ar_text_embedding(text) + model.ar_language_embedding(torch.zeros_like(text))
        x = model.ar_text_position(x)
        y_pos = model.ar_audio_position(model.ar_audio_embedding(y))
        return torch.concat([x, y_pos], dim=1)


def parameters(module):
    return sum(p.numel() for p in {id(p): p for p in module.parameters()}.values())


def export_ar(model, heads, out, gen, tol):
    step = ArStep(model).eval()
    print(f"AR: {parameters(step)} parameters in PyTorch")
    layers = len(model.ar_decoder.layers)
    dim = model.ar_predict_layer.in_features
    head_dim = dim // heads
    cases = []
    for text_len, prompt_len in ((7, 30), (12, 55)):
        text = torch.randint(1, 2048, (1, text_len), generator=gen)
        y = torch.cat([torch.tensor([[NUM_AUDIO_TOKENS + 1]]), torch.randint(0, 1024, (1, prompt_len), generator=gen)], 1)
        nxt = torch.randint(0, 1024, (1, 1), generator=gen)
        full = ar_inputs(model, text, torch.cat([y, nxt], 1))  # [1, text + 1 + prompt + 1, D]
        mask = ar_mask(text_len, full.shape[1] + 9)  # longer than the sequence, as reel's
        first = (full[:, :-1], mask, torch.zeros(layers, 2, 1, heads, 0, head_dim), torch.tensor(0))
        with torch.no_grad():
            _, kv = step(*first)
        second = (full[:, -1:], mask, kv, torch.tensor(full.shape[1] - 1))
        cases.append((first, second, full, mask, text_len))
    checks = [c[0] for c in cases] + [c[1] for c in cases]
    export_checked(
        step,
        checks[0],
        input_names=["xy_pos", "mask", "past_kv", "offset"],
        output_names=["logits", "kv_cache"],
        dynamic_axes={
            "xy_pos": {1: "L"},
            "mask": {0: "S", 1: "S"},
            "past_kv": {4: "P"},
            "kv_cache": {4: "P_next"},
        },
        out=out,
        checks=checks,
        tol=tol,
    )

    # Cached step == uncached pass at that position: in PyTorch (the wrapper at P = 0, and the
    # official non-cached ar_decoder.forward) and in ONNX Runtime (a chained first + second call).
    import onnxruntime as ort

    session = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
    names = ["xy_pos", "mask", "past_kv", "offset"]
    run = lambda inputs: session.run(["logits", "kv_cache"], {n: t.numpy() for n, t in zip(names, inputs)})  # noqa: E731
    worst = 0.0
    for first, second, full, mask, text_len in cases:
        with torch.no_grad():
            step_logits, step_kv = step(*second)
            whole_logits, whole_kv = step(full, mask, first[2], torch.tensor(0))
            n = full.shape[1]
            official = model.ar_predict_layer(model.ar_decoder(full, mask=mask[:n, :n])[:, -1])
        ort_first = run(first)
        ort_second = session.run(
            ["logits", "kv_cache"],
            {"xy_pos": second[0].numpy(), "mask": mask.numpy(), "past_kv": ort_first[1], "offset": second[3].numpy()},
        )
        ort_whole = run((full, mask, first[2], torch.tensor(0)))
        pairs = [
            (step_logits, whole_logits),
            (step_kv, whole_kv),
            (step_logits, official),
            (torch.from_numpy(ort_second[0]), torch.from_numpy(ort_whole[0])),
            (torch.from_numpy(ort_second[1]), torch.from_numpy(ort_whole[1])),
            (torch.from_numpy(ort_second[0]), step_logits),
        ]
        for a, b in pairs:
            assert a.shape == b.shape, (a.shape, b.shape)
            worst = max(worst, float((a - b).abs().max()))
        print(
            f"AR text {text_len} + audio {n - text_len}: first call L {n - 1} (P 0, S {mask.shape[0]}), "
            f"second L 1 (P {n - 1}); kv_cache {tuple(ort_second[1].shape)}; logits {tuple(ort_second[0].shape)}"
        )
    print(f"AR cached step vs uncached whole sequence (PyTorch, official forward, ONNX Runtime): max |Δ| {worst:.3g}")
    if worst > tol:
        sys.exit(f"{out}: the cached step differs from the uncached pass by {worst:.3g}")


def export_nar(model, out, gen, tol):
    stage = NarStage(model).eval()
    print(f"NAR: {parameters(stage)} parameters in PyTorch")
    dim = model.nar_predict_layers[0].in_features
    xy = lambda n: torch.randn(1, n, dim, generator=gen)  # noqa: E731
    checks = [(xy(40), torch.tensor(0)), (xy(40), torch.tensor(6)), (xy(67), torch.tensor(3)), (xy(67), torch.tensor(0))]
    export_checked(
        stage,
        checks[0],
        input_names=["xy_pos", "offset"],
        output_names=["logits"],
        dynamic_axes={"xy_pos": {1: "L"}, "logits": {1: "L"}},
        out=out,
        checks=checks,
        tol=tol,
    )
    # The wrapper against the official modules as VALLE.inference calls them.
    worst = 0.0
    with torch.no_grad():
        for x, i in checks:
            i = int(i)
            xy_dec, _ = model.nar_decoder((x, model.nar_stage_embeddings[i].weight))
            official = model.nar_predict_layers[i](xy_dec)
            worst = max(worst, float((stage(x, torch.tensor(i)) - official).abs().max()))
    print(f"NAR wrapper vs official modules (L 40, 67; stages 0, 3, 6): max |Δ| {worst:.3g}")
    if worst > tol:
        sys.exit(f"{out}: the NAR wrapper differs from the official modules by {worst:.3g}")


def write_tables(model, path):
    """The tables reel needs outside the graphs to make xy_pos (stages/vallex/embeddings.ts)."""
    t = lambda m: m.weight.detach().numpy()  # noqa: E731
    tables = {
        "ar_text_embedding": t(model.ar_text_embedding),
        "ar_language_embedding": t(model.ar_language_embedding),
        "ar_audio_embedding": t(model.ar_audio_embedding),
        "ar_text_position_alpha": model.ar_text_position.alpha.detach().numpy(),
        "ar_audio_position_alpha": model.ar_audio_position.alpha.detach().numpy(),
        "nar_text_embedding": t(model.nar_text_embedding),
        "nar_language_embedding": t(model.nar_language_embedding),
        "nar_text_position_alpha": model.nar_text_position.alpha.detach().numpy(),
        "nar_audio_position_alpha": model.nar_audio_position.alpha.detach().numpy(),
    }
    for j, e in enumerate(model.nar_audio_embeddings):
        tables[f"nar_audio_embedding_{j}"] = t(e)
    np.savez(path, **tables)
    print(f"{path}: " + ", ".join(f"{k} {list(v.shape)}" for k, v in tables.items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="a checkout of github.com/Plachtaa/VALL-E-X (models/, modules/, macros.py)")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="vallex-checkpoint.pt (its 'model' state dict)")
    src.add_argument("--tiny", action="store_true", help="seeded random weights at d_model 32, 2 heads, 2 layers (test fixtures)")
    ap.add_argument("--part", choices=["ar", "nar", "both"], required=True)
    ap.add_argument("--out", required=True, help="the ONNX file; with --part both, a folder for vallex-ar.onnx and vallex-nar.onnx")
    ap.add_argument("--tables", help="also write the embedding tables and position alphas (outside the graphs) to this .npz")
    args = ap.parse_args()

    VALLE, macros = import_vallex(args.source)
    torch.manual_seed(0)
    if args.tiny:
        size = TINY
    else:
        size = dict(d_model=macros.N_DIM, nhead=macros.NUM_HEAD, num_layers=macros.NUM_LAYERS)
    model = VALLE(
        size["d_model"],
        size["nhead"],
        size["num_layers"],
        norm_first=True,
        add_prenet=False,
        prefix_mode=macros.PREFIX_MODE,
        share_embedding=True,
        nar_scale_factor=1.0,
        prepend_bos=True,
        num_quantizers=macros.NUM_QUANTIZERS,
    )
    if args.tiny:
        # The architecture deep-copies one layer into every slot, so the layers start identical (and
        # the exporter would store their weights once): each gets its own draw.
        for layer in [*model.ar_decoder.layers, *model.nar_decoder.layers]:
            for m in layer.modules():
                for reset in ("reset_parameters", "_reset_parameters"):
                    if hasattr(m, reset):
                        getattr(m, reset)()
        with torch.no_grad():
            model.ar_decoder.norm.bias.fill_(0.5)
            model.ar_predict_layer.weight[NUM_AUDIO_TOKENS].fill_(-1.0)
    else:
        checkpoint = torch.load(args.checkpoint, map_location="cpu")
        model.load_state_dict(checkpoint["model"], strict=True)
    model.eval()
    if macros.NUM_QUANTIZERS != 8:
        sys.exit(f"reel's VALL-E X has 8 codebooks; this source has {macros.NUM_QUANTIZERS}")

    parts = ["ar", "nar"] if args.part == "both" else [args.part]
    gen = torch.Generator().manual_seed(1)
    # 12 layers at width 1024 add up more float32 rounding than the tiny model's 2 at 32.
    tol = 1e-4 if args.tiny else 1e-3
    for part in parts:
        out = os.path.join(args.out, f"vallex-{part}.onnx") if args.part == "both" else args.out
        if part == "ar":
            export_ar(model, size["nhead"], out, gen, tol)
        else:
            export_nar(model, out, gen, tol)
    if args.tables:
        write_tables(model, args.tables)


if __name__ == "__main__":
    main()
