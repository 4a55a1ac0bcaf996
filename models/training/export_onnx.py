"""Export a trained checkpoint to ONNX (opset 17) for the Java serving side.

  classifier: input  float32 [batch,1,28,28] (normalised: (pixel/255 - mean)/std)
              -> logits float32 [batch,10]; also writes labels.txt beside the model.
  denoiser:   sample float32 [batch,1,28,28], timestep int64 [batch],
              class_label int64 [batch] (10 = NULL class) -> noise_pred float32 [batch,1,28,28];
              uses the EMA weights.

The preprocessing constants / noise schedule are also stored as ONNX metadata
(metadata_props) so the serving side can read them from the model file.

There is no onnxruntime here, so the self-check is structural plus torch-side:
onnx.checker, the declared input/output names, types and shapes, shape
inference with the declared output shapes removed (a batch size baked into a
Reshape would show up as a fixed leading dimension), and finite, batch-
consistent torch outputs for batch 1 and 3.
"""
import argparse
import copy
import inspect
import json
import os

import onnx
import torch

from checkpoint_io import load_checkpoint
from nets import DiffusionUNet, FashionResNet, count_parameters

OPSET = 17
MAX_MODEL_BYTES = 20 * 1000 * 1000
FLOAT, INT64 = onnx.TensorProto.FLOAT, onnx.TensorProto.INT64

SPECS = {
    "classifier": dict(
        inputs=[("input", FLOAT, ["batch", 1, 28, 28])],
        outputs=[("logits", FLOAT, ["batch", 10])],
    ),
    "denoiser": dict(
        inputs=[("sample", FLOAT, ["batch", 1, 28, 28]),
                ("timestep", INT64, ["batch"]),
                ("class_label", INT64, ["batch"])],
        outputs=[("noise_pred", FLOAT, ["batch", 1, 28, 28])],
    ),
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kind", choices=sorted(SPECS), required=True)
    p.add_argument("--checkpoint", required=True,
                   help="classifier: fashion-resnet.pt; denoiser: fashion-ddpm.pt or fashion-ddpm-ema.pt")
    p.add_argument("--output", required=True, help="path/model.onnx")
    return p.parse_args()


def load_model(kind, ckpt):
    if kind == "classifier":
        model = FashionResNet(**ckpt["config"]["model"])
        model.load_state_dict(ckpt["state_dict"])
        props = {
            "input_mean": str(ckpt["config"]["mean"]),
            "input_std": str(ckpt["config"]["std"]),
            "input_scaling": "(pixel / 255 - input_mean) / input_std",
            "labels": json.dumps(ckpt["config"]["labels"]),
            "test_accuracy": str(ckpt["test_accuracy"]),
        }
    else:
        model = DiffusionUNet(**ckpt["config"]["model"])
        # The full training checkpoint keeps the EMA under "ema"; the -ema.pt file under "state_dict".
        model.load_state_dict(ckpt["ema"] if "ema" in ckpt else ckpt["state_dict"])
        props = {k: str(v) for k, v in ckpt["config"]["diffusion"].items()}
        props["labels"] = json.dumps(ckpt["config"]["labels"])
        props["train_step"] = str(ckpt["step"])
    return model.eval(), props


def example_inputs(kind, batch, seed=0):
    g = torch.Generator().manual_seed(seed)
    if kind == "classifier":
        return (torch.randn(batch, 1, 28, 28, generator=g),)
    return (torch.randn(batch, 1, 28, 28, generator=g),
            torch.randint(0, 1000, (batch,), generator=g),
            torch.randint(0, 11, (batch,), generator=g))


def export(model, kind, path):
    spec = SPECS[kind]
    input_names = [name for name, _, _ in spec["inputs"]]
    output_names = [name for name, _, _ in spec["outputs"]]
    kwargs = {}
    # torch >= 2.9 defaults to the dynamo exporter; this script targets the
    # TorchScript exporter that torch 1.13 has.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    with torch.no_grad():
        # Trace with batch 2, not 1, so no size-1 special case can be baked in.
        torch.onnx.export(model, example_inputs(kind, 2), path, opset_version=OPSET,
                          input_names=input_names, output_names=output_names,
                          dynamic_axes={n: {0: "batch"} for n in input_names + output_names},
                          do_constant_folding=True, **kwargs)


def dims_of(value_info):
    return [d.dim_param if d.HasField("dim_param") else (d.dim_value if d.HasField("dim_value") else None)
            for d in value_info.type.tensor_type.shape.dim]


def check_graph(path, kind):
    model = onnx.load(path)
    onnx.checker.check_model(model)
    spec = SPECS[kind]
    for declared, expected in ((model.graph.input, spec["inputs"]), (model.graph.output, spec["outputs"])):
        got = [(v.name, v.type.tensor_type.elem_type, dims_of(v)) for v in declared]
        if got != expected:
            raise SystemExit(f"graph signature mismatch: got {got}, expected {expected}")
    # Re-infer output shapes from the inputs alone.
    stripped = copy.deepcopy(model)
    for out in stripped.graph.output:
        out.type.tensor_type.ClearField("shape")
    inferred = onnx.shape_inference.infer_shapes(stripped)
    for out in inferred.graph.output:
        dims = dims_of(out)
        if dims and isinstance(dims[0], int):
            raise SystemExit(f"output {out.name}: inferred leading dim {dims[0]} is fixed, batch axis not dynamic")
        print(f"  inferred {out.name}: {dims}")
    print(f"  onnx.checker ok; opset {model.opset_import[0].version}; "
          + ", ".join(f"{n} {dims_of(v)}" for n, v in
                      [(v.name, v) for v in list(model.graph.input) + list(model.graph.output)]))


@torch.no_grad()
def check_torch(model, kind):
    """Finite outputs of the right shape, and batch 3 row 0 equal to the batch-1 result."""
    if kind == "denoiser":
        # Trained weights make conv_out non-zero anyway, but a freshly initialised
        # (zero) conv_out would make every check below pass vacuously.
        model = copy.deepcopy(model)
        torch.nn.init.normal_(model.conv_out.weight, std=0.05)
        torch.nn.init.normal_(model.conv_out.bias, std=0.05)
    three = example_inputs(kind, 3)
    one = tuple(x[:1] for x in three)
    out3, out1 = model(*three), model(*one)
    expected = (3, 10) if kind == "classifier" else (3, 1, 28, 28)
    if tuple(out3.shape) != expected or tuple(out1.shape) != (1,) + expected[1:]:
        raise SystemExit(f"torch output shapes {tuple(out1.shape)} / {tuple(out3.shape)}")
    if not (torch.isfinite(out3).all() and torch.isfinite(out1).all()):
        raise SystemExit("torch output is not finite")
    if out3.abs().max() == 0 or (out3[0] - out3[1]).abs().max() == 0:
        raise SystemExit("torch output is constant")
    if not torch.allclose(out3[:1], out1, atol=1e-4, rtol=1e-4):
        raise SystemExit("batch-3 row 0 differs from the batch-1 result")
    if kind == "denoiser":
        sample, t, _ = one
        by_class = [model(sample, t, torch.tensor([c])) for c in (0, 10)]
        by_time = [model(sample, torch.tensor([s]), torch.tensor([0])) for s in (10, 900)]
        if torch.equal(*by_class) or torch.equal(*by_time):
            raise SystemExit("output does not depend on class_label / timestep")
    print(f"  torch outputs for batch 1 and 3 ok: shape {tuple(out3.shape)}, "
          f"|out| max {out3.abs().max().item():.3f}")


def main():
    args = parse_args()
    torch.set_num_threads(2)
    ckpt = load_checkpoint(args.checkpoint)
    model, props = load_model(args.kind, ckpt)
    print(f"{args.kind}: {type(model).__name__} with {count_parameters(model):,} parameters from {args.checkpoint}")
    check_torch(model, args.kind)

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    export(model, args.kind, args.output)
    onnx_model = onnx.load(args.output)
    onnx.helper.set_model_props(onnx_model, props)
    onnx.save(onnx_model, args.output)
    check_graph(args.output, args.kind)

    size = os.path.getsize(args.output)
    print(f"wrote {args.output} ({size / 1e6:.2f} MB); metadata: {props}")
    if size >= MAX_MODEL_BYTES:
        raise SystemExit(f"{args.output} is {size} bytes, over the {MAX_MODEL_BYTES}-byte budget")
    if args.kind == "classifier":
        labels_path = os.path.join(os.path.dirname(os.path.abspath(args.output)), "labels.txt")
        with open(labels_path, "w", encoding="utf-8") as f:
            f.write("\n".join(ckpt["config"]["labels"]) + "\n")
        print(f"wrote {labels_path}")


if __name__ == "__main__":
    main()
