#!/usr/bin/env python3
"""Builds the mnetc model zoo: Keras MobileNet V1/V2/V3 with seeded random weights, converted to
full-integer int8 .tflite, plus goldens from the TFLite reference kernels.

Usage (from the repo root):
    make -C tools/zoo venv
    tools/zoo/.venv/bin/python tools/zoo/make_zoo.py            # all models
    tools/zoo/.venv/bin/python tools/zoo/make_zoo.py --only v2_0.35_96_c3_top_i8

Writes test/fixtures/zoo/<name>.tflite, test/fixtures/zoo/<name>/{input,output}_K_*.bin, meta.json,
tensors/ (case 0), and tools/zoo/manifest.json (+ a copy at test/fixtures/zoo/manifest.json).
"""
import argparse
import json
import os
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoolib  # noqa: E402  (sets TF_CPP_MIN_LOG_LEVEL before importing tensorflow)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

OUT_DIR = os.path.join(zoolib.REPO, "test", "fixtures", "zoo")
REL_DIR = "test/fixtures/zoo"
MANIFEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "manifest.json")

N_CLASSES = 10
N_CALIB = 32  # images in the BatchNorm calibration batch
N_REP = 16  # representative-dataset samples for the int8 converter


def spec(arch, alpha, res, ch, top, pooling, io, minimalistic=False):
    fam = {"v1": "v1", "v2": "v2", "v3s": "v3s", "v3l": "v3l"}[arch]
    name = f"{fam}{'min' if minimalistic else ''}_{alpha}_{res}_c{ch}_"
    name += "top" if top else f"notop_{pooling or 'none'}"
    name += {"int8": "_i8", "uint8": "_u8", "float32": "_f32"}[io]
    return dict(name=name, arch=arch, alpha=alpha, resolution=res, channels=ch, include_top=top,
                pooling=None if top else pooling, io=io, minimalistic=minimalistic,
                classes=N_CLASSES if top else None)


# The zoo. Small alphas/resolutions for most; a few bigger ones.
MODELS = [
    # MobileNet V1 (alpha 0.25 / 0.5 / 1.0)
    spec("v1", 0.25, 96, 3, True, None, "int8"),
    spec("v1", 0.25, 96, 1, False, "avg", "float32"),
    spec("v1", 0.25, 96, 1, False, "max", "int8"),
    spec("v1", 0.25, 128, 1, True, None, "int8"),
    spec("v1", 0.25, 96, 3, False, None, "int8"),
    spec("v1", 0.5, 96, 1, True, None, "uint8"),
    spec("v1", 1.0, 96, 3, False, "avg", "int8"),
    # MobileNet V2 (alpha 0.35 / 0.5 / 1.0)
    spec("v2", 0.35, 96, 3, True, None, "int8"),
    spec("v2", 0.35, 96, 1, False, "avg", "float32"),
    spec("v2", 0.35, 96, 1, False, None, "int8"),
    spec("v2", 0.35, 96, 1, True, None, "int8"),
    spec("v2", 0.5, 96, 3, True, None, "int8"),
    spec("v2", 1.0, 96, 3, False, "avg", "int8"),
    # MobileNet V3 Small (+ minimalistic)
    spec("v3s", 0.35, 96, 3, True, None, "int8"),
    spec("v3s", 0.5, 96, 1, True, None, "float32"),
    spec("v3s", 0.75, 96, 3, False, "avg", "int8"),
    spec("v3s", 0.35, 160, 3, False, None, "int8"),
    spec("v3s", 0.5, 96, 3, True, None, "int8", minimalistic=True),
    spec("v3s", 0.35, 224, 1, False, "avg", "int8", minimalistic=True),
    # MobileNet V3 Large (+ minimalistic)
    spec("v3l", 0.35, 96, 3, True, None, "int8"),
    spec("v3l", 0.5, 96, 1, False, "avg", "float32"),
    spec("v3l", 0.35, 128, 1, False, None, "int8"),
    spec("v3l", 0.35, 96, 3, True, None, "int8", minimalistic=True),
    spec("v3l", 0.5, 96, 1, False, "avg", "int8", minimalistic=True),
]


def build_keras(s):
    shape = (s["resolution"], s["resolution"], s["channels"])
    # A fixed batch of 1 gives static shapes (no SHAPE/STRIDED_SLICE/PACK around Flatten/Reshape).
    kw = dict(input_tensor=keras.Input(shape, batch_size=1, name="input"), alpha=s["alpha"],
              include_top=s["include_top"], weights=None)
    if s["include_top"]:
        kw["classes"] = s["classes"]
    else:
        kw["pooling"] = s["pooling"]
    if s["arch"] == "v1":
        return keras.applications.MobileNet(**kw)
    if s["arch"] == "v2":
        return keras.applications.MobileNetV2(**kw)
    kw.update(minimalistic=s["minimalistic"], include_preprocessing=False)
    if s["arch"] == "v3s":
        return keras.applications.MobileNetV3Small(**kw)
    return keras.applications.MobileNetV3Large(**kw)


def randomize_and_calibrate(model, rng, calib):
    """Seeded non-trivial BatchNorm: random gamma/beta, then moving mean/variance set to the real
    per-channel statistics of a calibration batch (momentum 0, one training-mode pass), so every
    layer sees roughly normalized, non-degenerate activations in inference mode."""
    bns = [l for l in model.layers if isinstance(l, keras.layers.BatchNormalization)]
    for bn in bns:
        c = bn.gamma.shape[0]
        bn.gamma.assign(rng.uniform(0.5, 1.5, c).astype(np.float32))
        bn.beta.assign(rng.normal(0.2, 0.5, c).astype(np.float32))
        bn.momentum = 0.0
    # Conv biases (V3 SE convs, classifier) get small random values too.
    for l in model.layers:
        if isinstance(l, (keras.layers.Conv2D, keras.layers.Dense)) and l.use_bias:
            b = l.bias
            b.assign(rng.normal(0.0, 0.1, b.shape[0]).astype(np.float32))
    model(calib, training=True)
    for bn in bns:
        bn.momentum = 0.99
    return len(bns)


def make_one(s, idx):
    name = s["name"]
    seed = zlib.crc32(name.encode()) & 0x7FFFFFFF
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    t0 = time.time()
    model = build_keras(s)
    shape = (s["resolution"], s["resolution"], s["channels"])
    calib = rng.uniform(-1, 1, (N_CALIB,) + shape).astype(np.float32)
    n_bn = randomize_and_calibrate(model, rng, calib)
    rep = [rng.uniform(-1, 1, (1,) + shape).astype(np.float32) for _ in range(N_REP)]

    tfl = zoolib.convert_int8(model, rep, s["io"])
    path = os.path.join(OUT_DIR, name + ".tflite")
    with open(path, "wb") as f:
        f.write(tfl)

    # float Keras reference for case "rep[0]" is not stored; goldens come from the interpreter.
    variant = {k: s[k] for k in ("arch", "alpha", "resolution", "channels", "include_top", "pooling",
                                 "classes", "minimalistic", "io")}
    variant["keras_params"] = int(model.count_params())
    variant["batchnorm_layers"] = n_bn
    variant["seed"] = seed
    summ = zoolib.write_goldens(tfl, os.path.join(OUT_DIR, name), f"{REL_DIR}/{name}", name + ".tflite",
                                seed=seed + 1, extra_meta={"variant": variant})
    gdir = os.path.join(OUT_DIR, name)
    gbytes = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(gdir) for f in fs)
    entry = {
        "name": name,
        "file": f"{REL_DIR}/{name}.tflite",
        "golden_dir": f"{REL_DIR}/{name}",
        "variant": variant,
        "tflite_bytes": len(tfl),
        "golden_bytes": gbytes,
        "input": {k: summ["input"][k] for k in ("name", "type", "shape", "scale", "zero_point")},
        "output": {k: summ["output"][k] for k in ("name", "type", "shape", "scale", "zero_point")},
        "num_ops": summ["num_ops"],
        "op_histogram": summ["op_histogram"],
        "unsupported_ops": summ["unsupported_ops"],
        "macs": summ["macs"],
        "case0_output_unique_values": summ["case0_output_unique_values"],
        "dump_outputs_match_normal_run": summ["dump_outputs_match"],
    }
    print(f"  built in {time.time() - t0:.1f} s", flush=True)
    keras.backend.clear_session()
    return entry


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", action="append", help="model name (repeatable)")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        for s in MODELS:
            print(s["name"])
        return
    os.makedirs(OUT_DIR, exist_ok=True)
    todo = [s for s in MODELS if not args.only or s["name"] in args.only]
    if args.only and len(todo) != len(args.only):
        sys.exit(f"unknown model in {args.only}")
    old = {}
    if os.path.exists(MANIFEST):
        with open(MANIFEST) as f:
            old = {m["name"]: m for m in json.load(f).get("models", [])}
    for i, s in enumerate(todo):
        e = make_one(s, i)
        old[e["name"]] = e
        print(f"[{i + 1}/{len(todo)}] {e['name']}: {e['tflite_bytes']} B tflite, {e['golden_bytes']} B golden, "
              f"ops={e['op_histogram']} unsupported={e['unsupported_ops']} "
              f"uniq={e['case0_output_unique_values']}", flush=True)
    names = [s["name"] for s in MODELS]
    models = [old[n] for n in names if n in old]
    manifest = {
        "tf_version": tf.__version__,
        "keras_version": keras.__version__,
        "numpy_version": np.__version__,
        "golden_generator": "tf.lite.Interpreter BUILTIN_REF (TFLite reference kernels; NOT TFLM)",
        "conversion": "TFLiteConverter.from_keras_model (Keras 3, input batch fixed to 1), Optimize.DEFAULT, "
                      "representative_dataset uniform[-1,1) seeded, TFLITE_BUILTINS_INT8, per-channel weights",
        "supported_ops": sorted(zoolib.SUPPORTED_OPS),
        "models": models,
        "total_tflite_bytes": sum(m["tflite_bytes"] for m in models),
        "total_golden_bytes": sum(m["golden_bytes"] for m in models),
    }
    for p in (MANIFEST, os.path.join(OUT_DIR, "manifest.json")):
        with open(p, "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
