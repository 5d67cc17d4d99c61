"""Reading a legacy (pre-1.6) ``torch.save`` file of plain tensors, without PyTorch and
without a general unpickle of downloaded bytes.

The format, in order: three small pickles (a magic number, the protocol version, system
information), the pickled state dict (each tensor refers to its storage by a persistent
id), the pickled list of storage keys, then each storage as an 8-byte little-endian
element count followed by its raw bytes.

`read_tensors` unpickles with `_TensorUnpickler`, which resolves only the four names
such a state dict needs (``torch._utils._rebuild_tensor_v2``, ``torch.ByteStorage``,
``torch.FloatStorage``, ``collections.OrderedDict``) to local stand-ins, and refuses
every other name: a file that asks for anything else is not one of these.
"""

from __future__ import annotations

import collections
import io
import pickle
from typing import NamedTuple

import numpy as np

from nst_tf.base.errors import NSTError

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # the first pickle of every legacy torch.save file
#: The storage types such a file may hold, with the dtype of their elements.
STORAGE_DTYPES = {"ByteStorage": np.uint8, "FloatStorage": np.dtype("<f4")}


class TorchStreamError(NSTError, ValueError):
    """The bytes are not a legacy ``torch.save`` file of plain tensors."""


class _StorageRef(NamedTuple):
    key: str
    dtype: np.dtype
    count: int


class _TensorRef(NamedTuple):
    storage: _StorageRef
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]


def _storage_class(name: str):
    def stand_in():  # never called: the class only names the element type
        raise TorchStreamError(f"{name} is a type marker, not a constructor")

    stand_in.dtype = np.dtype(STORAGE_DTYPES[name])
    return stand_in


def _rebuild_tensor_v2(storage, offset, shape, stride, requires_grad=False, hooks=None, *_):
    return _TensorRef(storage, int(offset), tuple(shape), tuple(stride))


_ALLOWED = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("collections", "OrderedDict"): collections.OrderedDict,
    **{("torch", name): _storage_class(name) for name in STORAGE_DTYPES},
}


class _TensorUnpickler(pickle.Unpickler):
    """An unpickler that knows only the names of a state dict of plain tensors."""

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise TorchStreamError(
                f"the file asks for {module}.{name}, which a file of plain tensors never does"
            ) from None

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise TorchStreamError(f"unexpected persistent id {pid!r}")
        _, storage_class, key, _location, count = pid[:5]
        return _StorageRef(str(key), storage_class.dtype, int(count))


def _load(stream: io.BytesIO):
    try:
        return _TensorUnpickler(stream).load()
    except TorchStreamError:
        raise
    except Exception as exc:  # truncated or foreign bytes: pickle's many error types
        raise TorchStreamError(f"not a readable pickle at byte {stream.tell()}: {exc}") from exc


def read_tensors(data: bytes) -> dict[str, np.ndarray]:
    """The tensors of a legacy ``torch.save`` state dict, as numpy arrays by name.

    Raises `TorchStreamError` for anything else (another format, a truncated file,
    a pickle that names a class other than the four allowed).
    """
    stream = io.BytesIO(data)
    if _load(stream) != LEGACY_MAGIC:
        raise TorchStreamError("not a legacy torch.save file (its magic number is missing)")
    _load(stream)  # protocol version
    _load(stream)  # system information (endianness, type sizes)
    state = _load(stream)
    keys = _load(stream)
    if not isinstance(state, dict) or not isinstance(keys, list):
        raise TorchStreamError("the file does not hold a state dict of tensors")
    refs = {r.storage.key: r.storage for r in state.values() if isinstance(r, _TensorRef)}
    storages = {key: _read_storage(stream, refs.get(str(key))) for key in keys}
    return {name: _tensor(ref, storages) for name, ref in state.items()}


def _read_storage(stream: io.BytesIO, ref: _StorageRef | None) -> np.ndarray:
    if ref is None:
        raise TorchStreamError("a storage that no tensor uses")
    header = stream.read(8)
    count = int.from_bytes(header, "little") if len(header) == 8 else -1
    if count != ref.count:
        raise TorchStreamError(f"storage {ref.key}: {count} elements where {ref.count} were named")
    raw = stream.read(count * ref.dtype.itemsize)
    if len(raw) != count * ref.dtype.itemsize:
        raise TorchStreamError(f"storage {ref.key} is cut short (a truncated file)")
    return np.frombuffer(raw, dtype=ref.dtype)


def _tensor(ref, storages: dict) -> np.ndarray:
    if not isinstance(ref, _TensorRef):
        raise TorchStreamError(f"an entry that is not a tensor: {type(ref).__name__}")
    flat = storages[ref.storage.key]
    last = ref.offset + sum((d - 1) * s for d, s in zip(ref.shape, ref.stride))
    if 0 in ref.shape or min(ref.stride, default=1) < 0 or last >= len(flat):
        raise TorchStreamError(f"a tensor of shape {ref.shape} reaches outside its storage")
    itemsize = flat.dtype.itemsize
    strides = tuple(s * itemsize for s in ref.stride)
    view = np.lib.stride_tricks.as_strided(flat[ref.offset :], ref.shape, strides, writeable=False)
    return np.array(view)  # a copy that owns its memory
