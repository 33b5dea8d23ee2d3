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

clean:
	rm -rf dist build
