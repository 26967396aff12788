"""The safetensors format (https://github.com/huggingface/safetensors) with the standard library:
an 8-byte little-endian header length, a JSON header (dtype, shape, byte offsets per tensor, and
string metadata under "__metadata__"), then the raw little-endian data."""
import json
import math
import struct
import sys
from array import array
from collections import OrderedDict

# Element size and array typecode of the dtypes read here.
_DTYPES = {"F32": (4, "f"), "F64": (8, "d"), "I32": (4, "i"), "I64": (8, "q"), "U8": (1, "B")}


class Tensor:
    """A named tensor's shape and flat row-major values (an array.array)."""

    __slots__ = ("shape", "values")

    def __init__(self, shape, values):
        self.shape = list(shape)
        self.values = values

    def __len__(self):
        return len(self.values)

    def __repr__(self):
        return "Tensor(shape=%s)" % (self.shape,)


class Parameters:
    """A point of a landscape (a minimum, a pivot or a saddle): tensors by PyTorch name, in the
    server's order, and the file's metadata (landscapeId, minimumId or pathId, t, ...)."""

    def __init__(self, tensors, metadata):
        self.tensors = tensors
        self.metadata = metadata

    @property
    def landscape_id(self):
        return self.metadata.get("landscapeId")

    def count(self):
        return sum(len(t) for t in self.tensors.values())

    def __repr__(self):
        return "Parameters(%d tensors, %d values, %s)" % (len(self.tensors), self.count(), self.metadata)


def decode_safetensors(data):
    """Parameters of a safetensors file's bytes; raises ValueError naming what is wrong."""
    if len(data) < 8:
        raise ValueError("not a safetensors file: %d bytes, shorter than its 8-byte header length" % len(data))
    (length,) = struct.unpack("<Q", data[:8])
    if 8 + length > len(data):
        raise ValueError("header length %d runs past the end of the %d-byte file" % (length, len(data)))
    header = json.loads(bytes(data[8 : 8 + length]).decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    body = memoryview(data)[8 + length :]
    tensors = OrderedDict()
    # Data order, which is the server's layout order.
    for name, spec in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        if spec["dtype"] not in _DTYPES:
            raise ValueError("%s: dtype %s is not supported" % (name, spec["dtype"]))
        size, code = _DTYPES[spec["dtype"]]
        begin, end = spec["data_offsets"]
        values = array(code)
        values.frombytes(body[begin:end])
        if sys.byteorder != "little":
            values.byteswap()
        if len(values) != math.prod(spec["shape"]):
            raise ValueError("%s: %d values for shape %s" % (name, len(values), spec["shape"]))
        tensors[name] = Tensor(spec["shape"], values)
    return Parameters(tensors, metadata)


def encode_safetensors(tensors, metadata=None):
    """Bytes of a safetensors file of float32 tensors: `tensors` maps names to Tensor or to
    (shape, flat values) pairs, written in the mapping's order."""
    header = OrderedDict()
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        shape, values = (tensor.shape, tensor.values) if isinstance(tensor, Tensor) else tensor
        flat = values if isinstance(values, array) and values.typecode == "f" else array("f", values)
        if len(flat) != math.prod(shape):
            raise ValueError("%s: %d values for shape %s" % (name, len(flat), list(shape)))
        if sys.byteorder != "little":
            flat = array("f", flat)
            flat.byteswap()
        raw = flat.tobytes()
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)
