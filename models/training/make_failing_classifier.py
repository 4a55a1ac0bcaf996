"""A classifier that fails at run time on some batches, for the fault tests of the serving path.

The graph is a linear classifier over a 1x28x28 image whose scores then take a detour that only fits some batch
sizes: one zero row is appended (N + 1 rows), the rows are reshaped into pairs ([-1, 2, 10]), passed through Relu,
reshaped back and the padding row is sliced off again. The pair reshape has no answer when N + 1 is odd, so ONNX
Runtime fails the run for every batch with an EVEN number of rows and serves odd ones (1, 3, ...). Loading and the
warm-up (one row) succeed, so the model is READY; the failure appears only when a batch of 2 rows reaches it.

The weights are seeded noise: the scores mean nothing, only the failure matters.

Needs only onnx and numpy (Debian: python3-onnx). Run from the repository root:
    /usr/bin/python3 models/training/make_failing_classifier.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FOLDER = os.path.join("src", "test", "resources", "failing-models", "even-batch-fails")
CLASSES = 10

YAML = """# A test fixture made by models/training/make_failing_classifier.py: a batch with an even number of rows fails
# inside ONNX Runtime (a Reshape into pairs), odd ones are served.
kind: classifier
inputs: {image: input}
outputs: {scores: logits}
preprocessing: {width: 28, height: 28, colorMode: grayscale}
batching: {maxBatchSize: 4, maxQueueDelay: 0ms, queueCapacity: 16, timeout: 30s}
devices: [cpu]
instancesPerDevice: 1
intraOpThreads: 1
"""


def build():
    rng = np.random.default_rng(7)
    initializers = [
        numpy_helper.from_array(rng.normal(0, 0.05, (784, CLASSES)).astype(np.float32), "weight"),
        numpy_helper.from_array(np.zeros(CLASSES, np.float32), "bias"),
        numpy_helper.from_array(np.zeros((1, CLASSES), np.float32), "padding_row"),
        numpy_helper.from_array(np.array([-1, 2, CLASSES], np.int64), "pairs_shape"),
        numpy_helper.from_array(np.array([-1, CLASSES], np.int64), "rows_shape"),
        numpy_helper.from_array(np.array([0], np.int64), "zero"),
        numpy_helper.from_array(np.array([1], np.int64), "one"),
    ]
    nodes = [
        helper.make_node("Flatten", ["input"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "weight", "bias"], ["scores"]),
        helper.make_node("Concat", ["scores", "padding_row"], ["padded"], axis=0),
        # N + 1 rows into pairs: fails for even N, the fault this fixture exists for.
        helper.make_node("Reshape", ["padded", "pairs_shape"], ["pairs"]),
        helper.make_node("Relu", ["pairs"], ["rectified"]),
        helper.make_node("Reshape", ["rectified", "rows_shape"], ["rows"]),
        helper.make_node("Shape", ["input"], ["input_shape"]),
        helper.make_node("Slice", ["input_shape", "zero", "one"], ["batch"]),
        helper.make_node("Slice", ["rows", "zero", "batch", "zero"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes, "even_batch_fails",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", CLASSES])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="visionserve-tests")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    os.makedirs(FOLDER, exist_ok=True)
    onnx.save(build(), os.path.join(FOLDER, "model.onnx"))
    with open(os.path.join(FOLDER, "model.yaml"), "w") as f:
        f.write(YAML)
    print(f"wrote {FOLDER}")


if __name__ == "__main__":
    main()
