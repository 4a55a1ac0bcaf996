"""Top-1 accuracy of a running VisionServe on the full Fashion-MNIST test set, through POST /classify.

Every image goes through the service's own path (PNG decoding, Java preprocessing, batching, ONNX Runtime), exactly
as a client's would. Start the service first (mvn spring-boot:run), then from the repository root:

    /usr/bin/python3 models/training/evaluate_classifier.py [--url http://localhost:8080] [--model fashion-resnet]

The test set is read from Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist).
"""
import argparse
import io
import json
import os
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402


def png(pixels):
    out = io.BytesIO()
    Image.fromarray(pixels, "L").save(out, format="PNG")
    return out.getvalue()


def classify(url, model, images):
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for i, data in enumerate(images):
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{i}.png"\r\n'
                   f'Content-Type: image/png\r\n\r\n'.encode())
        body.write(data)
        body.write(b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(f"{url}/classify?model={model}&topK=1", data=body.getvalue(),
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        results = json.load(response)["results"]
    return [r["predictions"][0]["index"] for r in results]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--model", default="fashion-resnet")
    parser.add_argument("--data", default=fashion_mnist.DEFAULT_DATA_DIR)
    parser.add_argument("--images-per-request", type=int, default=50)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    images, labels = fashion_mnist.load(args.data, "test")
    encoded = [png(image) for image in images]
    chunks = [range(i, min(i + args.images_per_request, len(encoded)))
              for i in range(0, len(encoded), args.images_per_request)]
    start = time.time()
    with ThreadPoolExecutor(args.clients) as pool:
        answers = pool.map(lambda chunk: classify(args.url, args.model, [encoded[i] for i in chunk]), chunks)
        predicted = [index for chunk in answers for index in chunk]
    seconds = time.time() - start
    correct = sum(int(p == int(y)) for p, y in zip(predicted, labels))
    print(f"model {args.model}: top-1 accuracy {correct / len(labels):.4f} ({correct}/{len(labels)}) on the "
          f"Fashion-MNIST test set via {args.url}/classify, {len(labels) / seconds:.0f} images/s")
    per_class = []
    for c, name in enumerate(fashion_mnist.LABELS):
        idx = [i for i in range(len(labels)) if labels[i] == c]
        per_class.append(f"{name} {sum(predicted[i] == c for i in idx) / len(idx):.3f}")
    print("per class: " + ", ".join(per_class))


if __name__ == "__main__":
    main()
