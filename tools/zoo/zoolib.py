"""Shared helpers for the model zoo: int8 conversion, op histograms, MACs and golden dumps.

Goldens are produced with the TFLite interpreter's *reference* kernels
(OpResolverType.BUILTIN_REF), written in the same layout as shared/golden/.
"""
import collections
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Ops the mnetc compiler supports (see the brief / src).
SUPPORTED_OPS = {
    "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "MUL", "AVERAGE_POOL_2D",
    "MAX_POOL_2D", "MEAN", "PAD", "RESHAPE", "SQUEEZE", "TRANSPOSE", "CONCATENATION",
    "SOFTMAX", "LOGISTIC", "HARD_SWISH", "RELU", "RELU6", "QUANTIZE", "DEQUANTIZE",
    "RESIZE_NEAREST_NEIGHBOR",
}

_TYPE_NAMES = {
    np.int8: "INT8", np.uint8: "UINT8", np.float32: "FLOAT32", np.int32: "INT32",
    np.int16: "INT16", np.int64: "INT64", np.bool_: "BOOL",
}


def type_name(dtype):
    return _TYPE_NAMES[np.dtype(dtype).type]


def tf_io_type(name):
    return {"int8": tf.int8, "uint8": tf.uint8, "float32": tf.float32}[name]


def convert_int8(keras_model, rep_data, io_dtype):
    """Full-integer int8 conversion (per-channel weights). io_dtype: 'int8' | 'uint8' | 'float32'.
    (from_concrete_functions leaves Keras 3 variables as READ_VARIABLE ops; from_keras_model freezes them.)"""
    conv = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]

    def rep():
        for x in rep_data:
            yield [x]

    conv.representative_dataset = rep
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if io_dtype != "float32":
        conv.inference_input_type = tf_io_type(io_dtype)
        conv.inference_output_type = tf_io_type(io_dtype)
    return conv.convert()


def make_interpreter(model_bytes, preserve=False):
    return tf.lite.Interpreter(
        model_content=model_bytes,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF,
        experimental_preserve_all_tensors=preserve,
    )


def op_list(interp):
    return interp._get_ops_details()  # index, op_name, inputs, outputs


def op_histogram(interp):
    c = collections.Counter(d["op_name"] for d in op_list(interp))
    return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


def count_macs(interp):
    """Multiply-accumulates of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED (+ elementwise MUL)."""
    det = {t["index"]: t for t in interp.get_tensor_details()}
    macs = 0
    for op in op_list(interp):
        name = op["op_name"]
        ins, outs = list(op["inputs"]), list(op["outputs"])
        if name in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            w = det[ins[1]]["shape"]
            out = det[outs[0]]["shape"]
            if name == "CONV_2D":  # w: [O, KH, KW, I]
                macs += int(np.prod(out)) * int(w[1] * w[2] * w[3])
            elif name == "DEPTHWISE_CONV_2D":  # w: [1, KH, KW, O]
                macs += int(np.prod(out)) * int(w[1] * w[2])
            else:  # w: [O, I]
                macs += int(np.prod(out)) * int(w[1])
        elif name == "MUL":
            macs += int(np.prod(det[outs[0]]["shape"]))
    return macs


def _q(t):
    qp = t.get("quantization_parameters") or {}
    scales = qp.get("scales", np.zeros(0))
    zps = qp.get("zero_points", np.zeros(0))
    if len(scales) == 1:
        return float(scales[0]), int(zps[0])
    if len(scales) == 0:
        return 0, 0
    return [float(s) for s in scales], [int(z) for z in zps]


def tensor_entry(t, file_rel):
    scale, zp = _q(t)
    arr_shape = [int(s) for s in t["shape"]]
    nbytes = int(np.prod(arr_shape)) * np.dtype(t["dtype"]).itemsize
    return {
        "tensor_index": int(t["index"]),
        "name": t["name"],
        "type": type_name(t["dtype"]),
        "shape": arr_shape,
        "bytes": nbytes,
        "scale": scale,
        "zero_point": zp,
        "file": file_rel,
    }


def random_input(rng, detail):
    shape = tuple(int(s) for s in detail["shape"])
    dt = np.dtype(detail["dtype"])
    if dt == np.int8:
        return rng.integers(-128, 128, size=shape, dtype=np.int64).astype(np.int8)
    if dt == np.uint8:
        return rng.integers(0, 256, size=shape, dtype=np.int64).astype(np.uint8)
    if dt == np.float32:
        return rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
    raise ValueError(f"unsupported input dtype {dt}")


def write_goldens(model_bytes, out_dir, rel_dir, model_file, seed, n_cases=3, extra_meta=None):
    """Runs n_cases seeded random inputs through BUILTIN_REF; writes input/output bins, meta.json and
    (case 0) tensors/ with every tensor the interpreter keeps. Returns a summary dict."""
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(seed)
    interp = make_interpreter(model_bytes)
    interp.allocate_tensors()
    in_det = interp.get_input_details()
    out_det = interp.get_output_details()
    all_det = {t["index"]: t for t in interp.get_tensor_details()}
    ops = op_list(interp)
    hist = op_histogram(interp)
    runs = []
    case0_inputs = None
    case0_outputs = None
    for k in range(n_cases):
        inputs = [random_input(rng, d) for d in in_det]
        for d, x in zip(in_det, inputs):
            interp.set_tensor(d["index"], x)
        interp.invoke()
        outputs = [interp.get_tensor(d["index"]).copy() for d in out_det]
        if k == 0:
            case0_inputs, case0_outputs = inputs, outputs
        run = {
            "input_shape": [int(s) for s in in_det[0]["shape"]],
            "input_type": type_name(in_det[0]["dtype"]),
            "input_scale": _q(all_det[in_det[0]["index"]])[0],
            "input_zero_point": _q(all_det[in_det[0]["index"]])[1],
            "output_shape": [int(s) for s in out_det[0]["shape"]],
            "output_type": type_name(out_det[0]["dtype"]),
            "output_scale": _q(all_det[out_det[0]["index"]])[0],
            "output_zero_point": _q(all_det[out_det[0]["index"]])[1],
            "num_subgraphs": 1,
            "num_ops": len(ops),
            "inputs": [],
            "outputs": [],
        }
        for i, (d, x) in enumerate(zip(in_det, inputs)):
            fn = f"input_{k}_{i}.bin"
            x.tofile(os.path.join(out_dir, fn))
            run["inputs"].append(tensor_entry(all_det[d["index"]], f"{rel_dir}/{fn}"))
        for j, (d, y) in enumerate(zip(out_det, outputs)):
            fn = f"output_{k}_{j}.bin"
            y.tofile(os.path.join(out_dir, fn))
            run["outputs"].append(tensor_entry(all_det[d["index"]], f"{rel_dir}/{fn}"))
        runs.append(run)

    # Case 0 again with every intermediate tensor preserved.
    tdir = os.path.join(out_dir, "tensors")
    os.makedirs(tdir, exist_ok=True)
    pint = make_interpreter(model_bytes, preserve=True)
    pint.allocate_tensors()
    p_in = pint.get_input_details()
    p_out = pint.get_output_details()
    for d, x in zip(p_in, case0_inputs):
        pint.set_tensor(d["index"], x)
    pint.invoke()
    match = all(
        np.array_equal(pint.get_tensor(d["index"]), y) for d, y in zip(p_out, case0_outputs)
    )
    pdet = {t["index"]: t for t in pint.get_tensor_details()}
    producer = {}
    for op in op_list(pint):
        for o in op["outputs"]:
            producer[int(o)] = int(op["index"])
    wanted = sorted(set(int(d["index"]) for d in p_in) | set(producer))
    entries = []
    for ti in wanted:
        t = pdet[ti]
        arr = pint.get_tensor(ti)
        fn = f"t{ti}.bin"
        arr.tofile(os.path.join(tdir, fn))
        e = tensor_entry(t, fn)
        e["producer_op"] = producer.get(ti, -1)
        # keep the key order of shared/golden/*/tensors/manifest.json
        e = {k: e[k] for k in ("tensor_index", "name", "type", "shape", "bytes", "scale", "zero_point",
                               "producer_op", "file")}
        entries.append(e)
    op_entries = [
        {"index": int(op["index"]), "op_name": op["op_name"],
         "inputs": [int(i) for i in op["inputs"]], "outputs": [int(o) for o in op["outputs"]]}
        for op in ops
    ]
    with open(os.path.join(tdir, "manifest.json"), "w") as f:
        json.dump({"generator": "tflite BUILTIN_REF " + tf.__version__,
                   "outputs_match_normal_run": bool(match), "tensors": entries, "ops": op_entries},
                  f, separators=(",", ":"))
    runs[0]["dump"] = {"dir": f"{rel_dir}/tensors", "tensors": len(entries),
                       "outputs_match_normal_run": bool(match)}

    macs = count_macs(interp)
    meta = {
        "model": model_file,
        "generator": "tf.lite.Interpreter, OpResolverType.BUILTIN_REF (TFLite reference kernels, not TFLM)",
        "tf_version": tf.__version__,
        "op_histogram": hist,
        "unsupported_ops": sorted(set(hist) - SUPPORTED_OPS),
        "macs": macs,
    }
    if extra_meta:
        meta.update(extra_meta)
    meta["runs"] = runs
    with open(os.path.join(out_dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    out0 = case0_outputs[0]
    return {
        "op_histogram": hist,
        "unsupported_ops": meta["unsupported_ops"],
        "macs": macs,
        "num_ops": len(ops),
        "input": runs[0]["inputs"][0],
        "output": runs[0]["outputs"][0],
        "case0_output_unique_values": int(len(np.unique(out0))),
        "case0_output_head": [float(v) for v in out0.reshape(-1)[:10]],
        "dump_outputs_match": bool(match),
    }
