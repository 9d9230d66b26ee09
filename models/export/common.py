"""Shared by reel's export scripts: export a wrapped module to ONNX with reel's names and dynamic
axes, then check the file with ONNX Runtime against PyTorch on the given inputs.

The scripts import each family's architecture from its own package or source; nothing of it is
copied into reel. Run them where PyTorch is installed (see models/export/README.md).
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch


def _export(module, example, input_names, output_names, dynamic_axes, out, opset):
    """torch.export first; where it cannot export the model — its Python is shape-dependent (EnCodec's
    reflect padding, FastPitch's length regulation), or the example has size 1 or 0 on an axis
    declared dynamic (torch.export specialises those; the dynamic range here starts at 2) — the
    TorchScript exporter, whose trace keeps the branch it took. The fallback prints why."""
    # One Dim per label, shared by every input that has it (phone, pitch and rnd share T); given as
    # a tuple in the order of the example's tensors, as torch.export matches them positionally.
    dims = {}
    dim = lambda label: dims.setdefault(label, torch.export.Dim(label, min=2, max=1_000_000))
    dynamic_shapes = tuple(
        {axis: dim(label) for axis, label in dynamic_axes[name].items()} if name in dynamic_axes else None
        for name in input_names
    )
    try:
        program = torch.onnx.export(
            module,
            example,
            dynamo=True,
            input_names=input_names,
            output_names=output_names,
            dynamic_shapes=dynamic_shapes,
            # Its lowest opset is 18; asking for less converts the graph down afterwards, which can
            # leave attributes the older opset lacks (Split's num_outputs).
            opset_version=max(opset, 18),
        )
        program.optimize()
        program.save(out)
        return "torch.export"
    except Exception as err:  # noqa: BLE001 — any failure of the new exporter falls back
        cause = err  # the exporter wraps the reason: say the innermost one
        while cause.__cause__ is not None:
            cause = cause.__cause__
        reason = (str(cause).strip().splitlines() or [""])[0][:300]
        print(f"torch.export could not export it ({type(cause).__name__}: {reason}); using the TorchScript exporter")
    torch.onnx.export(
        module,
        example,
        out,
        dynamo=False,
        input_names=input_names,
        output_names=output_names,
        dynamic_axes=dynamic_axes,
        opset_version=opset,
    )
    return "TorchScript"


def export_checked(module, example, input_names, output_names, dynamic_axes, out, checks, opset=17, tol=1e-4, reference=None):
    """Exports `module` (called with the tensors of `example`) to `out` with reel's names and dynamic
    axes ({name: {axis: label}}) and runs every input tuple of `checks` through PyTorch and ONNX
    Runtime; returns the largest absolute difference seen. `reference`, when given, is the module
    PyTorch runs for the check (a family's eager twin of an export-only class, same weights)."""
    module.eval()
    if reference is not None:
        reference.eval()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with torch.no_grad():
        exporter = _export(module, example, input_names, output_names, dynamic_axes, out, opset)
    onnx.checker.check_model(out)  # by path: a model over 2 GB keeps its weights as external data
    model = onnx.load(out, load_external_data=False)
    session = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
    worst = 0.0
    with torch.no_grad():
        for inputs in checks:
            expected = (module if reference is None else reference)(*inputs)
            expected = expected if isinstance(expected, (tuple, list)) else (expected,)
            got = session.run(output_names, {n: t.numpy() for n, t in zip(input_names, inputs)})
            for e, g in zip(expected, got):
                if tuple(e.shape) != tuple(g.shape):
                    sys.exit(f"{out}: ONNX Runtime gives shape {g.shape} where PyTorch gives {tuple(e.shape)}")
                worst = max(worst, float(np.abs(e.numpy() - g).max()))
    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    size = os.path.getsize(out)
    opset = max(i.version for i in model.opset_import if i.domain in ("", "ai.onnx"))
    print(f"{out}: {size / 2**20:.2f} MiB, {params} parameters, opset {opset}, {exporter} exporter, max |ONNX Runtime − PyTorch| {worst:.3g}")
    if worst > tol:
        sys.exit(f"{out}: ONNX Runtime differs from PyTorch by {worst:.3g} (> {tol})")
    return worst
