"""Landscape points as PyTorch modules, built exactly as the server's engine builds its models
(src/engine/models), with the same tensor names, so that a server's state loads with one call
and PyTorch gives the same outputs on the same inputs:

- mlp:    `layers.i` nn.Linear with ReLU between (input flattened in PyTorch's C, H, W order);
- cnn:    `convs.i` k x k conv (padding k // 2, bias) -> ReLU -> 2x2 max pool, then `fc`;
- resnet: He et al.'s CIFAR ResNet as akamaster/pytorch_resnet_cifar10 names it (`conv1`, `bn1`,
          `layer{1,2,3}.{b}.conv1|bn1|conv2|bn2`, `linear`), shortcut option A (subsample and
          zero-pad channels, no parameters), convs without bias, BatchNorm eps 1e-5.

Every model starts with the data set's normalisation (`normalize`, which holds no state-dict
entries), so it takes raw images: uint8 [N, C, H, W] in, logits out."""
import gzip
import os
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from .safetensors import Parameters, Tensor

# Data set shapes [height, width, channels] and classes, as the server's store/engine-specs.ts.
_SHAPES = {"mnist": ((28, 28, 1), 10), "mnist-idx": ((28, 28, 1), 10), "cifar10": ((32, 32, 3), 10), "cifar100": ((32, 32, 3), 100)}


def dataset_shape(dataset):
    if dataset["name"] == "synthetic":
        return (1, 1, dataset.get("features") or 2), dataset.get("classes") or 3
    return _SHAPES[dataset["name"]]


class Normalize(nn.Module):
    """(pixel - mean) / std per channel, computed as the server does: pixel = byte * (1/255) and
    the product with 1/std in float64, rounded to float32 at the end (so uint8 inputs give the
    server's exact inputs). No state-dict entries."""

    def __init__(self, normalization, channels):
        super().__init__()
        mean = normalization["mean"] if normalization else [0.0] * channels
        std = normalization["std"] if normalization else [1.0] * channels
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float64), persistent=False)
        self.register_buffer("inv_std", torch.tensor([1.0 / s for s in std], dtype=torch.float64), persistent=False)

    def forward(self, x):
        x = x.double() * (1.0 / 255) if x.dtype == torch.uint8 else x.double()
        shape = (1, -1, 1, 1) if x.dim() == 4 else (1, -1) if self.mean.numel() > 1 else (1,)
        return ((x - self.mean.view(shape)) * self.inv_std.view(shape)).float()


class Mlp(nn.Module):
    def __init__(self, widths, normalization, channels=1):
        super().__init__()
        self.normalize = Normalize(normalization, channels)
        self.layers = nn.ModuleList(nn.Linear(widths[i], widths[i + 1]) for i in range(len(widths) - 1))

    def forward(self, x):
        h = self.normalize(x).flatten(1)
        for i, layer in enumerate(self.layers):
            h = layer(h)
            if i + 1 < len(self.layers):
                h = F.relu(h)
        return h


class Cnn(nn.Module):
    def __init__(self, shape, classes, channels, normalization, kernel=3):
        super().__init__()
        height, width, c = shape
        self.normalize = Normalize(normalization, c)
        convs = []
        for out in channels:
            convs.append(nn.Conv2d(c, out, kernel, padding=kernel // 2))
            c, height, width = out, height // 2, width // 2
        self.convs = nn.ModuleList(convs)
        self.fc = nn.Linear(c * height * width, classes)

    def forward(self, x):
        y = self.normalize(x)
        for conv in self.convs:
            y = F.max_pool2d(F.relu(conv(y)), 2)
        return self.fc(y.flatten(1))


class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.project = stride != 1 or in_channels != out_channels
        self.pad = (out_channels - in_channels) // 2

    def forward(self, x):
        r = F.relu(self.bn1(self.conv1(x)))
        r = self.bn2(self.conv2(r))
        shortcut = F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad)) if self.project else x
        return F.relu(r + shortcut)


class ResNet(nn.Module):
    def __init__(self, depth, shape, classes, normalization, width=16):
        super().__init__()
        if (depth - 2) % 6:
            raise ValueError("ResNet depth must be 6n + 2, got %d" % depth)
        blocks = (depth - 2) // 6
        self.normalize = Normalize(normalization, shape[2])
        self.conv1 = nn.Conv2d(shape[2], width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        c = width
        for s in range(3):
            out = width << s
            stage = []
            for b in range(blocks):
                stage.append(BasicBlock(c, out, 2 if s > 0 and b == 0 else 1))
                c = out
            setattr(self, "layer%d" % (s + 1), nn.Sequential(*stage))
        self.linear = nn.Linear(c, classes)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(self.normalize(x))))
        y = self.layer3(self.layer2(self.layer1(y)))
        return self.linear(y.mean((2, 3)))


def build_model(landscape):
    """The untrained nn.Module of a landscape (a dict with `architecture` and `dataset` as the API
    returns them, `dataset.normalization` included)."""
    architecture, dataset = landscape["architecture"], landscape.get("dataset")
    if architecture["kind"] == "surface" or not dataset:
        raise ValueError("landscape %s is an analytic surface, not a neural network" % landscape.get("id"))
    shape, classes = dataset_shape(dataset)
    normalization = dataset.get("normalization")
    kind = architecture["kind"]
    if kind == "mlp":
        return Mlp([shape[0] * shape[1] * shape[2]] + list(architecture["widths"] or []) + [classes], normalization, shape[2])
    if kind == "cnn":
        return Cnn(shape, classes, architecture.get("channels") or [16, 32], normalization)
    if kind == "resnet":
        channels = architecture.get("channels")
        return ResNet(architecture["depth"], shape, classes, normalization, channels[0] if channels else 16)
    raise ValueError("architecture %r is not known to this client" % kind)


def _state(module):
    """The module's tensors as the server counts them (BatchNorm's step counter is not one)."""
    return OrderedDict((k, v) for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked"))


def _as_torch(tensor):
    return torch.tensor(tensor.values, dtype=torch.float32).reshape(tensor.shape)


def load_into(module, point):
    """Loads a Parameters into any module holding the same tensors: by name when the names are the
    server's, otherwise in order (an nn.Sequential of the same layers), shapes checked."""
    target = _state(module)
    names = list(point.tensors)
    if set(names) != set(target):
        if len(names) != len(target):
            raise ValueError("the module has %d tensors, the point %d" % (len(target), len(names)))
        names = dict(zip(target, names))
    else:
        names = {k: k for k in target}
    state = OrderedDict()
    for key, value in target.items():
        source = point.tensors[names[key]]
        if list(value.shape) != list(source.shape):
            raise ValueError("%s: the module's shape is %s, the point's (%s) %s" % (key, list(value.shape), names[key], source.shape))
        state[key] = _as_torch(source)
    missing, unexpected = module.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError("state does not fit the module: missing %s, unexpected %s" % (missing, unexpected))
    return module


def to_torch(landscape, point):
    """The landscape's model with the point's parameters, in eval mode."""
    return load_into(build_model(landscape), point).eval()


def server_tensors(landscape, state_dict):
    """A PyTorch state dict as the server's named float32 tensors (Tensor), matched by name, or in
    order when the names differ (an nn.Sequential), shapes checked against the landscape's model."""
    reference = _state(build_model(landscape))
    given = OrderedDict((k, v) for k, v in state_dict.items() if not k.endswith("num_batches_tracked"))
    if set(given) == set(reference):
        pairs = [(k, given[k]) for k in reference]
    elif len(given) == len(reference):
        pairs = list(zip(reference, given.values()))
    else:
        raise ValueError("the state dict has %d tensors, landscape %s's model %d (%s)" % (len(given), landscape["id"], len(reference), ", ".join(reference)))
    out = OrderedDict()
    for (name, value), expected in zip(pairs, reference.values()):
        value = torch.as_tensor(value).detach().to("cpu", torch.float32).contiguous()
        if list(value.shape) != list(expected.shape):
            raise ValueError("%s: expected shape %s, got %s" % (name, list(expected.shape), list(value.shape)))
        from array import array

        flat = array("f")
        flat.frombytes(value.numpy().tobytes())
        out[name] = Tensor(list(value.shape), flat)
    return out


def _read_idx(directory, name):
    path = os.path.join(directory, name)
    if os.path.exists(path):
        with open(path, "rb") as f:
            data = f.read()
    elif os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rb") as f:
            data = f.read()
    else:
        raise FileNotFoundError("%s (or .gz) not found" % path)
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    return dims, data[4 + 4 * rank :]


def load_split(dataset, part="test"):
    """uint8 images [N, C, H, W] and int64 labels of a landscape's data set split, limited as the
    server limits it (first trainSize / testSize examples). IDX data sets (`mnist-idx`) only."""
    if dataset["name"] != "mnist-idx":
        raise ValueError("reading data set %r here is not supported (only mnist-idx, from its directory)" % dataset["name"])
    prefix = "t10k" if part == "test" else "train"
    dims, images = _read_idx(dataset["dir"], prefix + "-images-idx3-ubyte")
    _, labels = _read_idx(dataset["dir"], prefix + "-labels-idx1-ubyte")
    limit = dataset.get("testSize" if part == "test" else "trainSize") or dims[0]
    count = min(limit, dims[0])
    x = torch.frombuffer(bytearray(images[: count * dims[1] * dims[2]]), dtype=torch.uint8).reshape(count, 1, dims[1], dims[2])
    y = torch.frombuffer(bytearray(labels[:count]), dtype=torch.uint8).to(torch.int64)
    return x, y


@torch.no_grad()
def evaluate(model, images, labels, batch_size=1000):
    """(mean cross-entropy, error rate) of a model on examples, batch means summed in float64 as
    the server sums them."""
    loss_sum, errors = 0.0, 0
    for begin in range(0, len(labels), batch_size):
        x, y = images[begin : begin + batch_size], labels[begin : begin + batch_size]
        logits = model(x)
        loss_sum += float(F.cross_entropy(logits, y)) * len(y)
        errors += int((logits.argmax(1) != y).sum())
    return loss_sum / len(labels), errors / len(labels)
