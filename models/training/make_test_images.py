"""Writes the first 300 Fashion-MNIST test images as PNGs for the integration tests.

Files are named <index>_<label>.png under src/test/resources/fashion-mnist/. Run from the repository root:
    /usr/bin/python3 models/training/make_test_images.py
"""
import os
import sys

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402

OUT = os.path.join("src", "test", "resources", "fashion-mnist")
COUNT = 300


def main():
    images, labels = fashion_mnist.load(sys.argv[1] if len(sys.argv) > 1 else fashion_mnist.DEFAULT_DATA_DIR, "test")
    os.makedirs(OUT, exist_ok=True)
    for i in range(COUNT):
        Image.fromarray(images[i], "L").save(os.path.join(OUT, f"{i:04d}_{int(labels[i])}.png"), optimize=True)
    print(f"wrote {COUNT} images to {OUT}")


if __name__ == "__main__":
    main()
