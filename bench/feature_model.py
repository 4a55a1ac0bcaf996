"""Writes a copy of a classifier ONNX model whose penultimate layer is a second graph output, named `features`.

The penultimate layer is the input of the node that makes the classifier's scores (a Gemm or MatMul, after global
pooling and flattening): the space in which bench/steps.sh measures Frechet distances, as FID does with Inception's
pool layer. The scores output is kept unchanged, so the copy can be checked against what /classify answers.

    /usr/bin/python3 bench/feature_model.py MODEL.onnx SCORES_OUTPUT OUT.onnx
"""
import sys

import onnx
from onnx import helper


def main():
    source, scores, target = sys.argv[1:4]
    model = onnx.load(source)
    graph = model.graph
    producers = [node for node in graph.node if scores in node.output]
    if len(producers) != 1 or producers[0].op_type not in ("Gemm", "MatMul"):
        kinds = [node.op_type for node in producers]
        sys.exit(f"{source}: '{scores}' is made by {kinds}, not by one Gemm/MatMul; no penultimate layer to expose")
    penultimate = producers[0].input[0]
    # An Identity gives the feature output a stable name whatever the exporter called the flattened tensor.
    graph.node.append(helper.make_node("Identity", [penultimate], ["features"], name="bench_features"))
    graph.output.append(helper.make_tensor_value_info("features", onnx.TensorProto.FLOAT, ["batch", None]))
    onnx.checker.check_model(model)
    onnx.save(model, target)
    print(f"{target}: '{penultimate}' (input of {producers[0].op_type} '{producers[0].name}') exposed as 'features'")


if __name__ == "__main__":
    main()
