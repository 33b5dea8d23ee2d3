#!/usr/bin/env python3
"""Trains a small MobileNetV2 on scikit-learn's bundled 8x8 digits (no download), quantizes it to full int8
with int8 I/O and measures held-out accuracy with the TFLite reference kernels (BUILTIN_REF).

Usage (from the repo root):
    make -C tools/zoo venv
    tools/zoo/.venv/bin/python tools/zoo/train_digits.py

Writes examples/digits/: digits.tflite, test_images.bin (int8 input tensors back to back), test_labels.bin
(uint8), tflite_predictions.bin (uint8 argmax), labels.txt, and README.md (measured numbers filled in).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoolib  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

SEED = 1234
RES = 32  # 8x8 digits upscaled 4x (bilinear) to 32x32x1
ALPHA = 0.35
EPOCHS = 60
BATCH = 32
TEST_FRACTION = 0.2
OUT = os.path.join(zoolib.REPO, "examples", "digits")


def load():
    d = load_digits()
    x = d.images.astype(np.float32) / 16.0  # [0, 1]
    y = d.target.astype(np.int64)
    x = tf.image.resize(x[..., None], (RES, RES), method="bilinear").numpy()
    x = np.clip(x, 0.0, 1.0) * 2.0 - 1.0  # [-1, 1]
    return train_test_split(x, y, test_size=TEST_FRACTION, random_state=SEED, stratify=y)


def build():
    m = keras.applications.MobileNetV2(
        input_tensor=keras.Input((RES, RES, 1), batch_size=None, name="image"),
        alpha=ALPHA, include_top=True, weights=None, classes=10)
    # Keras' default BN momentum (0.999) is far too slow for ~2k steps: moving statistics would stay near
    # their initial values and inference accuracy would collapse.
    for layer in m.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.9
    return m


def main():
    t0 = time.time()
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    x_tr, x_te, y_tr, y_te = load()
    print(f"train {len(x_tr)} test {len(x_te)}", flush=True)

    aug = keras.Sequential([
        keras.layers.RandomTranslation(0.12, 0.12, fill_mode="constant", fill_value=-1.0, seed=SEED),
        keras.layers.RandomRotation(0.04, fill_mode="constant", fill_value=-1.0, seed=SEED + 1),
        keras.layers.RandomZoom(0.1, fill_mode="constant", fill_value=-1.0, seed=SEED + 2),
    ])
    ds = (tf.data.Dataset.from_tensor_slices((x_tr, y_tr))
          .shuffle(len(x_tr), seed=SEED, reshuffle_each_iteration=True)
          .batch(BATCH)
          .map(lambda a, b: (aug(a, training=True), b)))

    model = build()
    steps = EPOCHS * int(np.ceil(len(x_tr) / BATCH))
    lr = keras.optimizers.schedules.CosineDecay(2e-3, steps, alpha=0.02)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(ds, epochs=EPOCHS, verbose=2, validation_data=(x_te, y_te))
    float_acc = float(model.evaluate(x_te, y_te, verbose=0)[1])
    print(f"float accuracy {float_acc:.4f}", flush=True)

    # int8 conversion: fixed batch 1 wrapper for static shapes.
    inp = keras.Input((RES, RES, 1), batch_size=1, name="image")
    infer = keras.Model(inp, model(inp, training=False))
    rng = np.random.default_rng(SEED)
    rep_idx = rng.choice(len(x_tr), 300, replace=False)
    tfl = zoolib.convert_int8(infer, [x_tr[i:i + 1] for i in rep_idx], "int8")

    interp = zoolib.make_interpreter(tfl)
    interp.allocate_tensors()
    ind = interp.get_input_details()[0]
    outd = interp.get_output_details()[0]
    s_in, zp_in = ind["quantization"]
    v = x_te.astype(np.float32) / np.float32(s_in)
    v = np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))  # round half away from zero, like TFLite
    q_te = np.clip(v + zp_in, -128, 127).astype(np.int8)
    preds, scores = [], []
    for i in range(len(q_te)):
        interp.set_tensor(ind["index"], q_te[i:i + 1])
        interp.invoke()
        out = interp.get_tensor(outd["index"])[0].copy()
        scores.append(out)
        preds.append(int(np.argmax(out)))
    preds = np.array(preds, dtype=np.uint8)
    scores = np.stack(scores).astype(np.int8)
    acc = float(np.mean(preds == y_te))
    print(f"int8 tflite (BUILTIN_REF) accuracy {acc:.4f} on {len(y_te)}", flush=True)

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "digits.tflite"), "wb") as f:
        f.write(tfl)
    q_te.tofile(os.path.join(OUT, "test_images.bin"))
    y_te.astype(np.uint8).tofile(os.path.join(OUT, "test_labels.bin"))
    preds.tofile(os.path.join(OUT, "tflite_predictions.bin"))
    scores.tofile(os.path.join(OUT, "tflite_outputs.bin"))
    with open(os.path.join(OUT, "labels.txt"), "w") as f:
        f.write("".join(f"{i}\n" for i in range(10)))
    info = {
        "tf_version": tf.__version__,
        "keras_version": keras.__version__,
        "model": f"Keras MobileNetV2 alpha={ALPHA}, input {RES}x{RES}x1, include_top (10 classes, softmax)",
        "params": int(model.count_params()),
        "seed": SEED,
        "epochs": EPOCHS,
        "train_images": int(len(x_tr)),
        "test_images": int(len(x_te)),
        "float_accuracy": round(float_acc, 4),
        "int8_tflite_accuracy": round(acc, 4),
        "input": {"shape": [int(v) for v in ind["shape"]], "dtype": "int8", "scale": float(s_in),
                  "zero_point": int(zp_in)},
        "output": {"shape": [int(v) for v in outd["shape"]], "dtype": "int8",
                   "scale": float(outd["quantization"][0]), "zero_point": int(outd["quantization"][1])},
        "op_histogram": zoolib.op_histogram(interp),
        "tflite_bytes": len(tfl),
        "seconds": round(time.time() - t0, 1),
    }
    with open(os.path.join(OUT, "info.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    write_readme(info)
    print(json.dumps(info, indent=1))


def write_readme(i):
    n = i["test_images"]
    img_bytes = RES * RES
    text = f"""# digits: a trained int8 MobileNetV2 example

A real, trained model for end-to-end checks of mnetc: a Keras MobileNetV2 (alpha {ALPHA}, input {RES}x{RES}x1,
10 classes, softmax) trained from scratch on scikit-learn's bundled handwritten digits
(`sklearn.datasets.load_digits`: 1797 images of 8x8, upscaled 4x bilinear to {RES}x{RES}, scaled to [-1, 1]),
then converted to full-integer int8 with int8 input and output.

## Measured accuracy

| | accuracy on the {n} held-out images |
| --- | --- |
| float Keras model | {i['float_accuracy'] * 100:.2f}% |
| **int8 `digits.tflite`, TFLite reference kernels (BUILTIN_REF)** | **{i['int8_tflite_accuracy'] * 100:.2f}%** |

Train/test split: stratified, {int(TEST_FRACTION * 100)}% held out (`random_state={SEED}`): {i['train_images']} training
images, {n} test images (the test split was only watched as a validation curve while training, never used
to pick a model or stop early). {EPOCHS} epochs, Adam with cosine decay, random shift/rotation/zoom
augmentation, BatchNorm momentum 0.9. TensorFlow {i['tf_version']}, Keras {i['keras_version']}.

## Files

- `digits.tflite`: the int8 model ({i['tflite_bytes']} bytes). Input `{i['input']['shape']}` int8, scale
  {i['input']['scale']!r}, zero point {i['input']['zero_point']}; output `{i['output']['shape']}` int8
  (softmax, scale {i['output']['scale']!r}, zero point {i['output']['zero_point']}).
  Ops: {', '.join(f'{k} x{v}' for k, v in i['op_histogram'].items())}.
- `test_images.bin`: the {n} held-out images as raw int8 input tensors back to back ({img_bytes} bytes each,
  NHWC {RES}x{RES}x1), already quantized with the input scale / zero point
  (`q = clamp(round(x / scale) + zero_point, -128, 127)`).
- `test_labels.bin`: {n} uint8 true labels, same order.
- `tflite_predictions.bin`: {n} uint8 predictions (argmax of the int8 output) from the TFLite interpreter with
  reference kernels. A bit-exact port should reproduce these exactly (up to the known TFLite-vs-TFLM
  differences, see `shared/docs/int8-semantics.md`); accuracy = mean(prediction == label).
- `tflite_outputs.bin`: the raw int8 output tensors (10 bytes per image, back to back) behind those
  predictions, for bit-exact comparison.
- `labels.txt`: class names `0`..`9`, one a line.
- `info.json`: the numbers above, machine-readable.

## Regenerate

```sh
make -C tools/zoo venv
tools/zoo/.venv/bin/python tools/zoo/train_digits.py   # ~{max(1, round(i['seconds'] / 60))} min on 2 CPU cores
```

Seeded (Python/NumPy/TF seeds, deterministic TF ops), so a rerun with the pinned versions in
`tools/zoo/requirements.txt` on the same kind of machine should give the same files; other CPUs or versions
may differ slightly.
"""
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
