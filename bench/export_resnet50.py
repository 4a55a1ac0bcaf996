"""Exports the ImageNet-sized classifier for bench/classify.sh: torchvision resnet50(weights=None), seeded,
to OUT/model.onnx (input [batch, 3, 224, 224], batch axis dynamic) with a model.yaml that states only what a user
states for an ImageNet ResNet-50 (its tensors and torchvision's preprocessing) and labels.txt of 1,000 placeholder
names. Random weights cost the same as trained ones, and nothing is downloaded.

The export takes a while, so it is skipped when OUT/export.sha256 holds this script's hash (the output is then
what this script makes). The model is 97 MiB: it lives under target/ and is never committed.

    python3 bench/export_resnet50.py target/bench/models/resnet50
"""
import hashlib
import os
import sys

MODEL_YAML = """\
# Written by bench/export_resnet50.py: an untrained torchvision resnet50 for benchmarks only. Sessions, threads and
# batching are left to the service's defaults on purpose: the benchmark measures what a user gets without tuning.
kind: classifier
inputs: {image: input}
outputs: {scores: logits}
preprocessing:
  width: 224
  height: 224
  colorMode: rgb
  resize: 256
  centerCrop: 224
  mean: [0.485, 0.456, 0.406]
  std: [0.229, 0.224, 0.225]
labels: labels.txt
"""


def script_hash():
    with open(__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def up_to_date(out, digest):
    stamp = os.path.join(out, "export.sha256")
    if not os.path.exists(os.path.join(out, "model.onnx")) or not os.path.exists(stamp):
        return False
    with open(stamp) as f:
        return f.read().strip() == digest


def export(out):
    # Imported here so that the up-to-date check costs no torch start-up.
    import onnx
    import torch
    import torchvision

    torch.manual_seed(0)
    model = torchvision.models.resnet50(weights=None).eval()
    partial = os.path.join(out, "model.onnx.tmp")
    with torch.no_grad():
        torch.onnx.export(model, torch.zeros(1, 3, 224, 224), partial, opset_version=17,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(partial)
    graph = onnx.load(partial, load_external_data=False).graph
    batch_axis = graph.input[0].type.tensor_type.shape.dim[0]
    if not batch_axis.dim_param:
        sys.exit("the exported input has a fixed batch axis")
    os.replace(partial, os.path.join(out, "model.onnx"))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: export_resnet50.py OUTPUT_FOLDER")
    out = sys.argv[1]
    digest = script_hash()
    if up_to_date(out, digest):
        print(f"{out}/model.onnx is up to date", file=sys.stderr)
        return
    os.makedirs(out, exist_ok=True)
    export(out)
    with open(os.path.join(out, "model.yaml"), "w") as f:
        f.write(MODEL_YAML)
    with open(os.path.join(out, "labels.txt"), "w") as f:
        f.writelines(f"class_{i:03d}\n" for i in range(1000))
    with open(os.path.join(out, "export.sha256"), "w") as f:
        f.write(digest + "\n")
    print(f"exported {out}/model.onnx", file=sys.stderr)


if __name__ == "__main__":
    main()
