"""Small ONNX classifiers with random weights, and torch's answers on fixture images, for the config-only tests.

They prove that serving a model needs only a model.yaml: an ImageNet-style RGB model (resize 256, center crop 224,
ImageNet mean/std, 1000 labels) and a CIFAR-style 32x32 RGB model are served without code, and the service's
probabilities match torch + torchvision on the same image (expected.json beside each model).

Run from the repository root:  /usr/bin/python3 models/training/make_test_models.py
"""
import json
import os
import sys

import torch
import torch.nn as nn
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_preprocessing_fixtures import IMAGENET_MEAN, IMAGENET_STD, synthetic_photo

ROOT = os.path.join("src", "test", "resources", "config-only-models")
CIFAR_LABELS = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


class TinyResNet(nn.Module):
    """A stem, one residual basic block with a projection skip, global pooling and a linear head."""

    def __init__(self, classes, stem_stride):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, stem_stride, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.body = nn.Sequential(nn.Conv2d(8, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                                  nn.Conv2d(16, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16))
        self.skip = nn.Sequential(nn.Conv2d(8, 16, 1, 2, bias=False), nn.BatchNorm2d(16))
        self.head = nn.Linear(16, classes)

    def forward(self, x):
        x = self.stem(x)
        x = torch.relu(self.body(x) + self.skip(x))
        return self.head(x.mean(dim=(2, 3)))


def make(name, classes, size, stem_stride, labels, yaml, pipeline, image, seed):
    torch.manual_seed(seed)
    model = TinyResNet(classes, stem_stride).eval()
    folder = os.path.join(ROOT, name)
    os.makedirs(folder, exist_ok=True)
    torch.onnx.export(model, torch.zeros(2, 3, size, size), os.path.join(folder, "model.onnx"), opset_version=17,
                      input_names=["pixels"], output_names=["scores"],
                      dynamic_axes={"pixels": {0: "batch"}, "scores": {0: "batch"}})
    with open(os.path.join(folder, "labels.txt"), "w") as f:
        f.write("\n".join(labels) + "\n")
    with open(os.path.join(folder, "model.yaml"), "w") as f:
        f.write(yaml)
    image.save(os.path.join(folder, "probe.png"))
    with torch.no_grad():
        probabilities = torch.softmax(model(pipeline(Image.open(os.path.join(folder, "probe.png"))).unsqueeze(0)), 1)
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump({"probabilities": probabilities[0].tolist()}, f)
    print(f"wrote {folder}")


def main():
    make("imagenet-style", 1000, 224, 4, [f"class {i}" for i in range(1000)], """\
kind: classifier
preprocessing:
  width: 224
  height: 224
  colorMode: rgb
  resize: 256
  centerCrop: 224
  mean: [0.485, 0.456, 0.406]
  std: [0.229, 0.224, 0.225]
batching: {maxBatchSize: 8}
""", transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                         transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)]), synthetic_photo(400, 300, 7), 1)
    make("cifar-style", 10, 32, 1, CIFAR_LABELS, """\
kind: classifier
preprocessing:
  colorMode: rgb
  mean: [0.4914, 0.4822, 0.4465]
  std: [0.2470, 0.2435, 0.2616]
""", transforms.Compose([transforms.Resize((32, 32)), transforms.ToTensor(),
                         transforms.Normalize([0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616])]),
         synthetic_photo(32, 32, 8), 2)


if __name__ == "__main__":
    main()
