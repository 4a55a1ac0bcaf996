"""Fashion-MNIST loader for the four idx gz files (no torchvision needed).

The idx format is a big-endian header (magic, dimension sizes) followed by raw
uint8 data; see http://yann.lecun.com/exdb/mnist/ for the layout.
"""
import gzip
import os

import numpy as np

DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"

# Index order is the class id used by the data set and by every model here.
LABELS = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]

_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_IMAGES_MAGIC = 2051
_LABELS_MAGIC = 2049


def _read_idx(path, magic, ndim):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    header = np.frombuffer(raw, dtype=">u4", count=1 + ndim)
    if int(header[0]) != magic:
        raise ValueError(f"{path}: bad idx magic {int(header[0])}, expected {magic}")
    shape = tuple(int(d) for d in header[1:])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 * (1 + ndim))
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: {data.size} bytes of data for shape {shape}")
    return data.reshape(shape)


def load(data_dir=DEFAULT_DATA_DIR, split="train"):
    """Returns (images uint8 [N,28,28], labels int64 [N]) for split 'train' or 'test'."""
    image_file, label_file = _FILES[split]
    images = _read_idx(os.path.join(data_dir, image_file), _IMAGES_MAGIC, 3)
    labels = _read_idx(os.path.join(data_dir, label_file), _LABELS_MAGIC, 1).astype(np.int64)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels")
    # np.frombuffer views are read-only; copy so torch.from_numpy gets a writable array.
    return images.copy(), labels
