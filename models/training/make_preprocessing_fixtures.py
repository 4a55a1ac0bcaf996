"""Golden fixtures for the Java preprocessing: torchvision's own transforms applied to synthetic PNGs.

The Java test (ImagePreprocessorGoldenTests) decodes the same PNGs and must reproduce these tensors element-wise.
Each case is a PNG plus a raw little-endian float32 file of the expected CHW tensor and a line in cases.json.

Run from the repository root:  /usr/bin/python3 models/training/make_preprocessing_fixtures.py
"""
import json
import os

import numpy as np
import torch
from PIL import Image
from torchvision import transforms

OUT = os.path.join("src", "test", "resources", "preprocessing")
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def synthetic_photo(width, height, seed):
    """Smooth gradients, hard edges and noise: content on which a wrong resampler visibly differs."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 127 + 120 * np.sin(x / 17.0) * np.cos(y / 23.0)
    g = 255 * x / width
    b = 255 * ((x // 16 + y // 16) % 2)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 20, size=(height, width, 3))
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def case(name, image, pipeline, config):
    png = f"{name}.png"
    image.save(os.path.join(OUT, png))
    # Re-open from disk so the fixture is made from exactly the bytes the Java side decodes.
    tensor = pipeline(Image.open(os.path.join(OUT, png)))
    assert tensor.dtype == torch.float32
    tensor.numpy().astype("<f4").tofile(os.path.join(OUT, f"{name}.f32"))
    return {"name": name, "image": png, "shape": list(tensor.shape), "preprocessing": config}


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = [
        case("imagenet-rgb", synthetic_photo(320, 240, 1),
             transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                                 transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)]),
             {"width": 224, "height": 224, "colorMode": "rgb", "resize": 256, "centerCrop": 224,
              "mean": IMAGENET_MEAN, "std": IMAGENET_STD}),
        case("fashion-grayscale", synthetic_photo(300, 200, 2),
             transforms.Compose([transforms.Grayscale(1), transforms.Resize(32), transforms.CenterCrop(28),
                                 transforms.ToTensor(), transforms.Normalize([0.2860], [0.3530])]),
             {"width": 28, "height": 28, "colorMode": "grayscale", "resize": 32, "centerCrop": 28,
              "mean": [0.2860], "std": [0.3530]}),
        case("portrait-rgb", synthetic_photo(200, 333, 3),
             transforms.Compose([transforms.Resize(64), transforms.CenterCrop(60), transforms.ToTensor(),
                                 transforms.Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])]),
             {"width": 60, "height": 60, "colorMode": "rgb", "resize": 64, "centerCrop": 60,
              "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}),
        case("upscale-grayscale", synthetic_photo(20, 15, 4).convert("L"),
             transforms.Compose([transforms.Resize(48), transforms.CenterCrop(40), transforms.ToTensor(),
                                 transforms.Normalize([0.2860], [0.3530])]),
             {"width": 40, "height": 40, "colorMode": "grayscale", "resize": 48, "centerCrop": 40,
              "mean": [0.2860], "std": [0.3530]}),
    ]
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"generator": "torchvision " + __import__("torchvision").__version__, "cases": cases}, f, indent=1)
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
