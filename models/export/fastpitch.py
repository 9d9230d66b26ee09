#!/usr/bin/env python3
"""FastPitch as reel's fastpitch, with NeMo's export interface: text int64 [B, T_text]
(english_basic symbol ids, pad 0), pitch float32 [B, T_text] (added to the predicted pitch, in the
model's normalised units), pace float32 [B, T_text] (durations are divided by it) → spect float32
[B, 80, T_spec] (log-mel, 22.05 kHz, hop 256), num_frames int64 [B], durs_predicted float32
[B, T_text], log_durs_predicted float32 [B, T_text], pitch_predicted float32 [B, T_text].

The architecture is the FastPitch of NVIDIA DeepLearningExamples (PyTorch/SpeechSynthesis/
FastPitch: fastpitch/model.py `FastPitch` and `regulate_len`, fastpitch/transformer.py, common/),
imported from a checkout given with --source (the DeepLearningExamples root or its FastPitch
folder); reel copies none of it. The wrapper runs `FastPitch.infer`'s steps with the model's own
modules — encoder, duration predictor, pitch predictor + pitch embedding, energy predictor +
embedding where the model has them, `regulate_len`, decoder, proj — and changes only what NeMo's
export interface asks for: the pitch input is added to the predicted pitch before the embedding
(DLE's pitch-shift transform, `pitch + Hz / std`, is that sum too), pace is a per-token tensor, and
log_durs_predicted is returned as well. Durations are clamped to [0, 75] as infer's default. A
multi-speaker model speaks as speaker 0 (reel's contract has no speaker input).

A checkpoint is loaded as DLE's models.py does: its saved "config" (FastPitch's keyword arguments;
DLE's arg_parser defaults where it has none, energy conditioning and speakers read from the keys),
"state_dict" (or "ema_state_dict" with --ema) with "module." removed, the training-only alignment
module ("attention.*") ignored.

  python models/export/fastpitch.py --source ~/src/DeepLearningExamples \\
      --checkpoint nvidia_fastpitch_210824.pt --out exports/fastpitch.onnx
  python models/export/fastpitch.py --source ~/src/DeepLearningExamples --tiny \\
      --out test/fixtures/real-arch/fastpitch.onnx

--tiny builds DLE's layout (train.sh's defaults: energy conditioning on, 2-layer predictors, kernel
3) at d_model 32: 1 encoder and 1 decoder FFT layer of 2 heads × 16 with conv filter 64, predictors
of 32 channels, 148 symbols (english_basic, reel's stages/fastpitch/symbols.ts), seeded random
weights. With random weights the durations exp(log_dur) − 1 would be ~0 to ~15 frames; as reel's
reference FastPitch (models/families/fastpitch.ts, meanDuration 4) the duration predictor's output
layer (duration_predictor.fc) gets bias log(1 + 4) and weights of std 0.1/√channels, so a symbol
lasts ≈ 4 frames (spread ≈ ±0.5, like the reference's). The file is checked with ONNX Runtime
against PyTorch on batches of 1 and 2 (padded) at several text lengths, paces and pitch shifts.
"""
import argparse
import importlib
import importlib.util
import inspect
import math
import os
import sys
import types

import torch

HERE = os.path.dirname(os.path.realpath(__file__))
MEAN_DURATION = 4  # frames per symbol, as reel's reference (models/manifests/fastpitch.ts)
MAX_DURATION = 75  # FastPitch.infer's default clamp
ENGLISH_BASIC = 148  # reel's symbol set (stages/fastpitch/symbols.ts)

TINY = dict(
    symbols_embedding_dim=32,
    in_fft_n_layers=1, in_fft_n_heads=2, in_fft_d_head=16, in_fft_conv1d_filter_size=64, in_fft_output_size=32,
    out_fft_n_layers=1, out_fft_n_heads=2, out_fft_d_head=16, out_fft_conv1d_filter_size=64, out_fft_output_size=32,
    dur_predictor_filter_size=32, pitch_predictor_filter_size=32, energy_predictor_filter_size=32,
    energy_conditioning=True,
    n_speakers=1,
)


def reel_common():
    """reel's models/export/common.py, loaded by path: DLE's own `common` and `fastpitch` packages
    (namespace packages, no __init__.py) would lose to this folder's common.py and fastpitch.py."""
    spec = importlib.util.spec_from_file_location("reel_export_common", os.path.join(HERE, "common.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _unavailable(*args, **kwargs):
    raise RuntimeError("stubbed by models/export/fastpitch.py: not needed to export FastPitch")


def _jit(*args, **kwargs):
    return args[0] if len(args) == 1 and callable(args[0]) and not kwargs else (lambda f: f)


# Imported at the top of DLE's common/ and fastpitch/ modules for audio I/O, mel extraction and the
# training-time alignment search; nothing of them runs on FastPitch's inference path.
STUBS = {
    "librosa": {},
    "librosa.filters": {"mel": _unavailable},
    "librosa.util": {"pad_center": _unavailable, "tiny": _unavailable},
    "scipy": {},
    "scipy.io": {},
    "scipy.io.wavfile": {"read": _unavailable},
    "scipy.signal": {"get_window": _unavailable},
    "numba": {"jit": _jit, "prange": range},
}


def stub_missing():
    for name, attrs in STUBS.items():
        try:
            importlib.import_module(name)
            continue
        except Exception:  # noqa: BLE001 — absent, or present and broken: either way not needed
            pass
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)
    if not hasattr(torch, "lu"):  # the alignment module's constructor calls it (removed from newer torch)
        torch.lu = lambda A, pivot=True, get_infos=False: torch.linalg.lu_factor(A, pivot=pivot)


class NemoInterface(torch.nn.Module):
    """FastPitch.infer's steps with NeMo's export inputs and outputs (see the module docstring)."""

    def __init__(self, fastpitch, regulate_len, max_duration=MAX_DURATION):
        super().__init__()
        self.fastpitch = fastpitch
        self.regulate_len = regulate_len
        self.max_duration = max_duration

    def forward(self, text, pitch, pace):
        fp = self.fastpitch
        if fp.speaker_emb is None:
            spk_emb = 0
        else:
            spk_emb = fp.speaker_emb(torch.zeros_like(text[:, 0])).unsqueeze(1) * fp.speaker_emb_weight
        enc_out, enc_mask = fp.encoder(text, conditioning=spk_emb)

        log_durs = fp.duration_predictor(enc_out, enc_mask).squeeze(-1)
        durs = torch.clamp(torch.exp(log_durs) - 1, 0, self.max_duration)

        pitch_pred = fp.pitch_predictor(enc_out, enc_mask).permute(0, 2, 1) + pitch.unsqueeze(1)
        enc_out = enc_out + fp.pitch_emb(pitch_pred).transpose(1, 2)

        if fp.energy_conditioning:
            energy_pred = fp.energy_predictor(enc_out, enc_mask).squeeze(-1)
            enc_out = enc_out + fp.energy_emb(energy_pred.unsqueeze(1)).transpose(1, 2)

        len_regulated, dec_lens = self.regulate_len(durs, enc_out, pace)
        dec_out, _ = fp.decoder(len_regulated, dec_lens)
        spect = fp.proj(dec_out).permute(0, 2, 1)
        return spect, dec_lens, durs, log_durs, pitch_pred.squeeze(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="a checkout of NVIDIA/DeepLearningExamples (or its FastPitch folder)")
    ap.add_argument("--checkpoint", help="a FastPitch checkpoint of DLE's train.py (nvidia_fastpitch_210824.pt, …)")
    ap.add_argument("--ema", action="store_true", help="use the checkpoint's ema_state_dict")
    ap.add_argument("--tiny", action="store_true", help="seeded random weights, DLE's layout at d_model 32")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.tiny == bool(args.checkpoint):
        sys.exit("give --checkpoint, or --tiny")

    export_checked = reel_common().export_checked
    source = os.path.abspath(args.source)
    nested = os.path.join(source, "PyTorch", "SpeechSynthesis", "FastPitch")
    source = nested if os.path.isdir(nested) else source
    sys.path[:] = [source] + [p for p in sys.path if os.path.realpath(p or os.curdir) != HERE]
    stub_missing()
    from common.text.symbols import get_pad_idx, get_symbols  # DLE's own  # noqa: E402
    from fastpitch.arg_parser import parse_fastpitch_args  # noqa: E402
    from fastpitch.model import FastPitch, regulate_len  # noqa: E402

    if len(get_symbols("english_basic")) != ENGLISH_BASIC or get_pad_idx("english_basic") != 0:
        sys.exit("DLE's english_basic is not reel's 148-symbol set with pad 0")

    # FastPitch's keyword arguments: DLE's arg_parser defaults (its names are FastPitch's), then the
    # checkpoint's saved config or the tiny layout.
    defaults = vars(parse_fastpitch_args(argparse.ArgumentParser(add_help=False)).parse_args([]))
    params = inspect.signature(FastPitch.__init__).parameters
    config = {k: v for k, v in defaults.items() if k in params}
    config.update(n_symbols=ENGLISH_BASIC, padding_idx=0, n_speakers=1)
    state = None
    if args.tiny:
        config.update(TINY)
    else:
        checkpoint = torch.load(args.checkpoint, map_location="cpu")
        state = checkpoint["ema_state_dict" if args.ema else "state_dict"]
        state = {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}
        if checkpoint.get("config"):
            config.update({k: v for k, v in checkpoint["config"].items() if k in params})
        else:
            print("the checkpoint has no saved config: DLE's defaults, energy conditioning and speakers from its keys")
            config["energy_conditioning"] = any(k.startswith("energy_predictor.") for k in state)
            if "speaker_emb.weight" in state:
                config["n_speakers"] = state["speaker_emb.weight"].shape[0]
    if config["n_mel_channels"] != 80 or config.get("pitch_conditioning_formants", 1) != 1:
        sys.exit("reel's fastpitch gives 80 mel bands and one pitch value per symbol")
    if config["n_symbols"] != ENGLISH_BASIC or config["padding_idx"] != 0:
        sys.exit(f"the model has {config['n_symbols']} symbols (pad {config['padding_idx']}); reel speaks english_basic: 148, pad 0")

    torch.manual_seed(0)
    model = FastPitch(**config)
    if state is not None:
        status = model.load_state_dict(state, strict=False)
        missing = [k for k in status.missing_keys if not k.startswith("attention.")]
        unexpected = [k for k in status.unexpected_keys if not k.startswith("attention.")]
        if missing or unexpected:
            sys.exit(f"checkpoint keys do not match: missing {missing}, unexpected {unexpected}")
    else:
        fc = model.duration_predictor.fc
        with torch.no_grad():
            fc.weight.normal_(0, 0.1 / math.sqrt(fc.in_features), generator=torch.Generator().manual_seed(3))
            fc.bias.fill_(math.log(1 + MEAN_DURATION))
    model.eval()
    wrapped = NemoInterface(model, regulate_len).eval()
    used = sum(p.numel() for n, p in model.named_parameters() if not n.startswith("attention."))
    print(f"FastPitch{' (tiny)' if args.tiny else ''}: {used} parameters on the inference path; config {config}")

    gen = torch.Generator().manual_seed(1)

    def feeds(lengths, pace=1.0, shift=0.0):
        """Text of the given lengths (padded with 0 to the longest), one pace and pitch shift."""
        b, t = len(lengths), max(lengths)
        text = torch.zeros(b, t, dtype=torch.int64)
        for i, n in enumerate(lengths):
            text[i, :n] = torch.randint(1, ENGLISH_BASIC, (n,), generator=gen)
        return text, torch.full((b, t), shift), torch.full((b, t), pace)

    example = feeds([12, 9])
    with torch.no_grad():
        spect, frames, durs, _, _ = wrapped(*example)
        print(f"example: num_frames {frames.tolist()} (spect {list(spect.shape)}), durations {durs[0].tolist()}")
    export_checked(
        wrapped,
        example,
        input_names=["text", "pitch", "pace"],
        output_names=["spect", "num_frames", "durs_predicted", "log_durs_predicted", "pitch_predicted"],
        dynamic_axes={
            "text": {0: "B", 1: "T_text"},
            "pitch": {0: "B", 1: "T_text"},
            "pace": {0: "B", 1: "T_text"},
            "spect": {0: "B", 2: "T_spec"},
            "num_frames": {0: "B"},
            "durs_predicted": {0: "B", 1: "T_text"},
            "log_durs_predicted": {0: "B", 1: "T_text"},
            "pitch_predicted": {0: "B", 1: "T_text"},
        },
        out=args.out,
        checks=[feeds([16]), feeds([35]), feeds([23, 7], pace=1.3, shift=0.5), feeds([5], pace=0.8, shift=-1.0)],
    )


if __name__ == "__main__":
    main()
