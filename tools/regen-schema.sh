#!/usr/bin/env bash
# Regenerates src/tflite/schema/ (TypeScript flatbuffers bindings) from the TFLite schema.
# Debian's flatc 2.0.8 rejects the `(deprecated)` attribute on enum/union values; removing those
# two tags leaves the binary layout unchanged (see ../shared/tflite/README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
schema=${1:-$here/../shared/tflite/schema.fbs}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e 's/REDUCE_WINDOW = 205 (deprecated),/REDUCE_WINDOW = 205,/' \
    -e 's/ReduceWindowOptions (deprecated),/ReduceWindowOptions,/' "$schema" > "$tmp/schema.fbs"
rm -rf "$here/src/tflite/schema"
flatc --ts --ts-flat-files -o "$tmp/out" "$tmp/schema.fbs"
# One self-contained file; it is generated code, so the type checker is told not to judge its style.
sed -i "1i // @ts-nocheck" "$tmp/out/schema_generated.ts"
mkdir -p "$here/src/tflite/schema"
cp -r "$tmp/out/." "$here/src/tflite/schema/"
echo "wrote $(find "$here/src/tflite/schema" -name '*.ts' | wc -l) files to src/tflite/schema"
