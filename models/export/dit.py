#!/usr/bin/env python3
"""CogVideoX's transformer as reel's dit: hidden_states float32 [B, F, 16, H, W] (noisy latents),
encoder_hidden_states float32 [B, L, D] (T5 states), timestep int64 [B] → sample float32
[B, F, 16, H, W] (the v-prediction) — the denoiser of text-to-video.

The architecture is diffusers' CogVideoXTransformer3DModel (github.com/huggingface/diffusers,
models/transformers/cogvideox_transformer_3d.py), imported from a checkout's src/ given with
--source, or from the installed diffusers; reel copies none of it. The wrapper only names the
inputs and returns the sample tensor: reel's inputs are the model's own forward arguments.

  python models/export/dit.py --source ~/src/diffusers/src --checkpoint THUDM/CogVideoX-2b \\
      --subfolder transformer --out exports/dit.onnx
  python models/export/dit.py --source ~/src/diffusers/src --tiny --out test/fixtures/real-arch/dit.onnx

CogVideoX-2B layout: the 3-D sin-cos positional embedding is added inside the model's patch
embedding, with its first max_text_seq_length (226) rows zero for the text tokens — so L is fixed at
226 (reel's text encoder pads to maxTokens 226) — and is the table built for the config's sample
size (sample_frames, sample_height, sample_width). The export is static in F, H, W at that size
(--latent-frames/--latent-height/--latent-width pick another: the table is then built for it by the
model's own _get_positional_embeddings, as diffusers does at run time for that size) and dynamic in
B (1 without guidance, 2 with it: reel runs [uncond, cond] in one batch). reel's pipeline must ask
for that video size: F = (frames − 1)/4 + 1, H = height/8, W = width/8. F, H, W cannot stay
symbolic: building the table from the shape specialises F in torch.export, and the TorchScript
trace of it differs from PyTorch at other sizes. CogVideoX-5B (rotary embeddings computed by the
pipeline, not the model) and 1.5 (temporal patches, ofs embedding) do not fit reel's contract and
are refused.

--tiny builds the 2B layout (sin-cos positions, 16 latent channels, patch 2, qk LayerNorm,
gelu-tanh feed-forward, AdaLN-zero) with one layer, 2 heads of 8, time_embed_dim 16 and
text_embed_dim 8 (the tiny real-architecture T5's d_model), sized for reel's text-to-video
(17 frames at 256×160: latents 5 × 20 × 32), seeded random weights. The file is checked with ONNX
Runtime against PyTorch at B = 1 and 2.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import export_checked  # noqa: E402

TINY = dict(
    num_attention_heads=2,
    attention_head_dim=8,
    in_channels=16,
    out_channels=16,
    time_embed_dim=16,
    text_embed_dim=8,
    num_layers=1,
    sample_width=32,
    sample_height=20,
    sample_frames=17,  # (5 − 1)·4 + 1: diffusers counts video frames here (see its docstring)
    patch_size=2,
    temporal_compression_ratio=4,
    max_text_seq_length=226,
    use_rotary_positional_embeddings=False,
)


def import_diffusers(source):
    """diffusers from a checkout's src/ (its dependencies, Pillow and requests among them, installed),
    or the installed diffusers."""
    if source:
        sys.path.insert(0, os.path.abspath(source))
    import diffusers

    print(f"diffusers {diffusers.__version__} from {os.path.dirname(diffusers.__file__)}")
    return diffusers


class DitForReel(torch.nn.Module):
    """reel's names around CogVideoXTransformer3DModel.forward: the sample tensor alone."""

    def __init__(self, transformer):
        super().__init__()
        self.transformer = transformer

    def forward(self, hidden_states, encoder_hidden_states, timestep):
        return self.transformer(
            hidden_states=hidden_states,
            encoder_hidden_states=encoder_hidden_states,
            timestep=timestep,
            return_dict=False,
        )[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", help="a diffusers checkout's src/ folder (default: the installed diffusers)")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="CogVideoXTransformer3DModel.from_pretrained folder or cached id")
    src.add_argument("--tiny", action="store_true", help="seeded random weights, one narrow layer (test fixture)")
    ap.add_argument("--subfolder", help="the transformer's folder inside --checkpoint (transformer)")
    ap.add_argument("--latent-frames", type=int, help="F of the export (default: the config's sample size)")
    ap.add_argument("--latent-height", type=int, help="H of the export (default: the config's sample_height)")
    ap.add_argument("--latent-width", type=int, help="W of the export (default: the config's sample_width)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    diffusers = import_diffusers(args.source)
    torch.manual_seed(0)
    if args.tiny:
        transformer = diffusers.CogVideoXTransformer3DModel(**TINY)
    else:
        kwargs = {"subfolder": args.subfolder} if args.subfolder else {}
        transformer = diffusers.CogVideoXTransformer3DModel.from_pretrained(args.checkpoint, **kwargs)
    transformer.eval()
    config = transformer.config
    if config.use_rotary_positional_embeddings or config.patch_size_t is not None or config.ofs_embed_dim:
        sys.exit(
            "this is a CogVideoX-5B/1.5 transformer (rotary embeddings the pipeline computes, temporal "
            "patches or an ofs input): reel's dit contract feeds hidden_states, encoder_hidden_states and "
            "timestep alone — export a 2B-layout transformer (sin-cos positions)"
        )
    if config.in_channels != 16 or config.out_channels != 16:
        sys.exit(f"reel's dit takes 16 latent channels; this config has {config.in_channels} → {config.out_channels}")

    ratio = config.temporal_compression_ratio
    F = args.latent_frames or (config.sample_frames - 1) // ratio + 1
    H = args.latent_height or config.sample_height
    W = args.latent_width or config.sample_width
    L, D = config.max_text_seq_length, config.text_embed_dim
    if H % config.patch_size or W % config.patch_size:
        sys.exit(f"H and W must be multiples of the patch size {config.patch_size}; got {H} × {W}")
    embed = transformer.patch_embed
    frames = (F - 1) * ratio + 1  # the video frames the patch embedding is sized by
    if (frames, H, W) != (embed.sample_frames, embed.sample_height, embed.sample_width):
        # The table diffusers would build in forward for this size, stored as the one it uses.
        embed.pos_embedding = embed._get_positional_embeddings(H, W, frames)
        embed.sample_frames, embed.sample_height, embed.sample_width = frames, H, W
    print(
        f"CogVideoXTransformer3DModel: {config.num_layers} layers, {config.num_attention_heads} heads × "
        f"{config.attention_head_dim}, time_embed_dim {config.time_embed_dim}, text {L} × {D}; "
        f"latents F {F}, H {H}, W {W} (static); "
        f"{sum(p.numel() for p in transformer.parameters())} parameters"
    )

    gen = torch.Generator().manual_seed(1)

    def feeds(b):
        return (
            torch.randn(b, F, 16, H, W, generator=gen),
            torch.randn(b, L, D, generator=gen),
            torch.randint(0, 1000, (b,), generator=gen, dtype=torch.int64),
        )

    checks = [feeds(1), feeds(2)]
    export_checked(
        DitForReel(transformer),
        feeds(2),
        input_names=["hidden_states", "encoder_hidden_states", "timestep"],
        output_names=["sample"],
        dynamic_axes={"hidden_states": {0: "B"}, "encoder_hidden_states": {0: "B"}, "timestep": {0: "B"}, "sample": {0: "B"}},
        out=args.out,
        checks=checks,
        # torch.export's ONNX translation is opset 18; its conversion down to 17 leaves Split's
        # opset-18 num_outputs attribute, which the checker refuses.
        opset=18,
    )


if __name__ == "__main__":
    main()
