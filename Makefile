# mnetc - developer entry points. `make test` is what CI runs (after tools/setup.sh).
.PHONY: setup build test demo bench fuzz zoo clean

setup:
	bash tools/setup.sh

build:
	npm run build --silent

test: setup
	npx vitest run

bench: build
	npm run bench --silent

# A 5-minute fuzzing campaign (test/fuzz, bench/fuzz.ts); findings are saved to test/fixtures/fuzz/.
fuzz: build
	node dist/bench/fuzz.js --seconds 300

clean:
	rm -rf dist build

# The quick-start demo: the trained digits model on Cortex-M4 under QEMU, checked against TFLite's predictions.
demo: setup
	node dist/src/cli/main.js eval examples/digits/digits.tflite \
		--images examples/digits/test_images.bin --labels examples/digits/test_labels.bin \
		--expected examples/digits/tflite_predictions.bin --engine cortex-m4
