/**
 * Project templates: a compiled module plus everything needed to build it as it is for one ecosystem
 * (ESP-IDF, PlatformIO, Arduino, a bare-metal STM32 CMake project, a host CMake or Make project), with a
 * self-test `main` that runs the model on an embedded test input, compares the output with the embedded
 * expected bytes (from the reference interpreter), and prints PASS/FAIL, the output and a cycle count.
 *
 * Templates live in templates/project/<kind>/ (and templates/project/common/ for the self-test), rendered
 * with emit.ts's render(). The model itself is written with writeModule() into a subfolder.
 */
import { variantFamilyOf } from './variants.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fail } from '../diagnostics.js';
import { elementCount, tensorBytes, type Graph, type Tensor } from '../ir/types.js';
import { interpret } from '../interp/index.js';
import { cTypeOfTensor, render } from './emit.js';
import { writeModule, type CompiledModule } from './index.js';
import { floatLiteral } from './lower.js';
import { runtimeDir, VERSION } from './paths.js';

export type ProjectKind = 'esp-idf' | 'platformio' | 'arduino' | 'stm32-cmake' | 'cmake' | 'make';

export const PROJECT_KINDS: readonly ProjectKind[] = ['esp-idf', 'platformio', 'arduino', 'stm32-cmake', 'cmake', 'make'];

export interface ProjectOptions {
  /** overwrite files in `dir` that mnetc did not write */
  force?: boolean;
  /** raw bytes of the test input (one array per model input; a single array for a one-input model) */
  testInput?: Uint8Array | Uint8Array[];
  /** raw bytes the model must produce for testInput; computed with the reference interpreter when absent */
  expectedOutput?: Uint8Array | Uint8Array[];
  /** seed of the random test input when testInput is absent (default 1: the first case of `mnetc test`) */
  seed?: number;
}

export interface ProjectResult {
  kind: ProjectKind;
  dir: string;
  /** every file written, relative to dir, sorted */
  files: string[];
  /** where the model module went, relative to dir */
  moduleDir: string;
  /** shell commands that build (and where possible run) the project, from dir */
  build: string[];
  testInputs: Uint8Array[];
  expectedOutputs: Uint8Array[];
}

interface KindInfo {
  summary: string;
  /** module subfolder */
  moduleDir: (name: string) => string;
  /** keep the module's own CMakeLists.txt / Makefile (the project builds the module through them) */
  keepModuleBuildFiles: boolean;
  /**
   * where the weights go: `section` the `.weights` section the project's linker scripts place; otherwise plain
   * .rodata (the ecosystem's linker scripts do not know `.weights`) through MN_NO_WEIGHTS_SECTION, defined by
   * the build files (`flags`) or, where a library cannot have compile flags (Arduino), in NAME_weights.c (`file`)
   */
  weights: 'section' | 'flags' | 'file';
  /** optimised kernel families (runtime-c/src/*_FAMILY.c) the project's toolchains can build, besides plain C */
  families: readonly string[];
  /** output path (may contain NAME) -> template under templates/project */
  templates: Record<string, string>;
  /** output path -> runtime-c file copied verbatim (after a one-line mnetc header) */
  copies?: Record<string, string>;
  build: (name: string) => string[];
}

const COMMON_SELFTEST = {
  'NAME_selftest.h': 'common/selftest.h.hbs',
  'NAME_selftest.c': 'common/selftest.c.hbs',
};

const KINDS: Record<ProjectKind, KindInfo> = {
  cmake: {
    families: [],
    summary: 'host executable built with CMake and the system C compiler',
    moduleDir: () => 'model',
    keepModuleBuildFiles: true,
    weights: 'section',
    templates: { 'CMakeLists.txt': 'cmake/CMakeLists.txt.hbs', 'main.c': 'common/main_host.c.hbs', 'README.md': 'cmake/README.md.hbs', ...COMMON_SELFTEST },
    build: (n) => ['cmake -S . -B build', 'cmake --build build', `./build/${n}_demo`],
  },
  make: {
    families: [],
    summary: 'host executable built with GNU Make and the system C compiler',
    moduleDir: () => 'model',
    keepModuleBuildFiles: true,
    weights: 'section',
    templates: { Makefile: 'make/Makefile.hbs', 'main.c': 'common/main_host.c.hbs', 'README.md': 'make/README.md.hbs', ...COMMON_SELFTEST },
    build: (n) => ['make', `./${n}_demo`],
  },
  'stm32-cmake': {
    families: ['dsp'],
    summary: 'Cortex-M4F firmware (arm-none-eabi-gcc, CMake): STM32F4-like board, or QEMU mps2-an386 with semihosting',
    moduleDir: () => 'model',
    keepModuleBuildFiles: true,
    weights: 'section',
    templates: {
      'CMakeLists.txt': 'stm32-cmake/CMakeLists.txt.hbs',
      'cmake/arm-none-eabi.cmake': 'stm32-cmake/arm-none-eabi.cmake.hbs',
      'main.c': 'stm32-cmake/main.c.hbs',
      'platform/arm/startup_stm32f4.c': 'stm32-cmake/startup_stm32f4.c.hbs',
      'platform/arm/stm32f4.ld': 'stm32-cmake/stm32f4.ld.hbs',
      'platform/retarget_semihost.c': 'stm32-cmake/retarget_semihost.c.hbs',
      'README.md': 'stm32-cmake/README.md.hbs',
      ...COMMON_SELFTEST,
    },
    copies: {
      'platform/mn_io.h': 'platform/mn_io.h',
      'platform/mn_io_semihost_arm.c': 'platform/mn_io_semihost_arm.c',
      'platform/mn_io_semihost.h': 'platform/mn_io_semihost.h',
      'platform/arm/startup_cm.c': 'platform/arm/startup_cm.c',
      'platform/arm/mps2_an386.ld': 'platform/arm/mps2_an386.ld',
      'platform/arm/sections.ld': 'platform/arm/sections.ld',
    },
    build: (n) => [
      'cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake -DMNETC_BOARD=qemu-mps2-an386',
      'cmake --build build',
      `qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none -chardev stdio,id=sh -semihosting-config enable=on,target=native,chardev=sh -kernel build/${n}_demo.elf`,
    ],
  },
  'esp-idf': {
    families: [],
    summary: 'ESP-IDF component (components/NAME) and an example app (main/app_main)',
    moduleDir: (n) => `components/${n}`,
    keepModuleBuildFiles: false,
    weights: 'flags',
    templates: {
      'CMakeLists.txt': 'esp-idf/CMakeLists.txt.hbs',
      'sdkconfig.defaults': 'esp-idf/sdkconfig.defaults.hbs',
      'main/CMakeLists.txt': 'esp-idf/main-CMakeLists.txt.hbs',
      'main/idf_component.yml': 'esp-idf/main-idf_component.yml.hbs',
      'main/main.c': 'esp-idf/main.c.hbs',
      'main/NAME_selftest.h': COMMON_SELFTEST['NAME_selftest.h'],
      'main/NAME_selftest.c': COMMON_SELFTEST['NAME_selftest.c'],
      'components/NAME/CMakeLists.txt': 'esp-idf/component-CMakeLists.txt.hbs',
      'components/NAME/idf_component.yml': 'esp-idf/component-idf_component.yml.hbs',
      'README.md': 'esp-idf/README.md.hbs',
    },
    build: () => ['idf.py set-target esp32c3', 'idf.py build flash monitor'],
  },
  platformio: {
    families: [],
    summary: 'PlatformIO project: lib/NAME library, src/main.c, envs esp32-c3 (ESP-IDF) and nucleo_f446re (STM32Cube)',
    moduleDir: (n) => `lib/${n}/src`,
    keepModuleBuildFiles: false,
    weights: 'flags',
    templates: {
      'platformio.ini': 'platformio/platformio.ini.hbs',
      'CMakeLists.txt': 'platformio/CMakeLists.txt.hbs',
      'sdkconfig.defaults': 'esp-idf/sdkconfig.defaults.hbs',
      'src/CMakeLists.txt': 'platformio/src-CMakeLists.txt.hbs',
      'src/main.c': 'platformio/main.c.hbs',
      'src/NAME_selftest.h': COMMON_SELFTEST['NAME_selftest.h'],
      'src/NAME_selftest.c': COMMON_SELFTEST['NAME_selftest.c'],
      'lib/NAME/library.json': 'platformio/library.json.hbs',
      'README.md': 'platformio/README.md.hbs',
    },
    build: () => ['pio run -e esp32-c3', 'pio run -e nucleo_f446re'],
  },
  arduino: {
    families: [],
    summary: 'Arduino library (library.properties, src/) with the example examples/NAME_demo',
    moduleDir: () => 'src',
    keepModuleBuildFiles: false,
    weights: 'file',
    templates: {
      'library.properties': 'arduino/library.properties.hbs',
      'examples/NAME_demo/NAME_demo.ino': 'arduino/demo.ino.hbs',
      'examples/NAME_demo/NAME_selftest.h': COMMON_SELFTEST['NAME_selftest.h'],
      'examples/NAME_demo/NAME_selftest.c': COMMON_SELFTEST['NAME_selftest.c'],
      'README.md': 'arduino/README.md.hbs',
    },
    build: (n) => [`arduino-cli compile --library . --fqbn esp32:esp32:esp32c3 examples/${n}_demo`],
  },
};

export function isProjectKind(s: string): s is ProjectKind {
  return (PROJECT_KINDS as readonly string[]).includes(s);
}

/** One line per project kind, for `mnetc compile --help`. */
export function projectHelp(): string {
  const w = Math.max(...PROJECT_KINDS.map((k) => k.length));
  return [
    'Project kinds (--project KIND): the module plus a self-test main that runs the model on an embedded input,',
    'checks the output against the reference interpreter and prints PASS/FAIL, the output and a cycle count.',
    ...PROJECT_KINDS.map((k) => `  ${k.padEnd(w)}  ${KINDS[k].summary}`),
  ].join('\n');
}

/** Marker of files mnetc wrote (the same rule writeModule uses, plus the other comment styles of project files). */
const GENERATED_MARK = /generated by mnetc|^# Generated by mnetc|^ \* mn_[a-z0-9_]+\.h - |^\/\* mn_[a-z0-9_]+\.[ch] - /im;

/** xorshift32 bytes, as `mnetc test` draws its random inputs (src/api/golden-test.ts) */
function seededBytes(seed: number, n: number): Uint8Array {
  let x = (seed * 2654435761) >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The input `mnetc test --seed S` uses for its first case: uniform bytes, or floats uniform in [-1, 1). */
function randomInput(t: Tensor, seed: number): Uint8Array {
  if (t.dtype !== 'float32') return seededBytes(seed, tensorBytes(t));
  const n = elementCount(t.shape);
  const raw = seededBytes(seed, n * 2);
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) f[i] = (raw[2 * i]! | (raw[2 * i + 1]! << 8)) / 32768 - 1;
  return new Uint8Array(f.buffer);
}

function asList(x: Uint8Array | Uint8Array[] | undefined): Uint8Array[] | undefined {
  if (x === undefined) return undefined;
  return Array.isArray(x) ? x : [x];
}

function checkSizes(graph: Graph, tensors: number[], data: Uint8Array[], what: string): void {
  if (data.length !== tensors.length) fail('MN400', `the model has ${tensors.length} ${what} tensor(s), ${data.length} test ${what}(s) given`);
  tensors.forEach((ti, k) => {
    const want = tensorBytes(graph.tensors[ti]!);
    if (data[k]!.length !== want) fail('MN401', `test ${what} ${k} has ${data[k]!.length} bytes; ${what} ${k} of the model needs ${want}`);
  });
}

const HEX = Array.from({ length: 256 }, (_, b) => `\\x${b.toString(16).padStart(2, '0')}`);

/** A C initializer for the bytes of a tensor of type `t`: a string literal for 8-bit types, numbers otherwise. */
function cInit(t: Tensor, bytes: Uint8Array, what: string): { init: string; arrayLength: string } {
  const n = elementCount(t.shape);
  if (t.dtype === 'int8' || t.dtype === 'uint8') {
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += 32) {
      let s = '  "';
      for (let k = i; k < Math.min(bytes.length, i + 32); k++) s += HEX[bytes[k]!];
      lines.push(`${s}"`);
    }
    // one more element than the tensor: the literal's terminating NUL (no -Wunterminated-string-initialization)
    return { init: lines.length ? `\n${lines.join('\n')}` : '""', arrayLength: `${n}u + 1u` };
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: string[] = [];
  for (let i = 0; i < n; i++) {
    if (t.dtype === 'float32') {
      const x = v.getFloat32(4 * i, true);
      if (!Number.isFinite(x)) fail('MN405', `the test ${what} holds a non-finite float (element ${i}); give finite values`);
      values.push(floatLiteral(x));
    } else if (t.dtype === 'int16') values.push(String(v.getInt16(2 * i, true)));
    else if (t.dtype === 'int32') {
      const x = v.getInt32(4 * i, true);
      values.push(x === -2147483648 ? '(-2147483647 - 1)' : String(x));
    } else fail('MN301', `a project self-test cannot embed a ${t.dtype} tensor`);
  }
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += 10) lines.push(`  ${values.slice(i, i + 10).join(', ')},`);
  return { init: `{\n${lines.join('\n')}\n}`, arrayLength: `${n}u` };
}

function templateData(mod: CompiledModule, kind: ProjectKind, inputs: Uint8Array[], expected: Uint8Array[]) {
  const g = mod.graph;
  const name = mod.name;
  const NAME = name.toUpperCase();
  const r = mod.report;
  const ioView = (ti: number, k: number, role: 'input' | 'output', bytes: Uint8Array) => {
    const t = g.tensors[ti]!;
    const { init, arrayLength } = cInit(t, bytes, role);
    return {
      index: k,
      ctype: cTypeOfTensor(t),
      dtype: t.dtype,
      shapeText: t.shape.join('x'),
      elements: elementCount(t.shape),
      bytes: tensorBytes(t),
      bytesMacro: `${NAME}_${role.toUpperCase()}${k}_BYTES`,
      elementsMacro: `${NAME}_${role.toUpperCase()}${k}_ELEMENTS`,
      symbol: role === 'input' ? `${name}_test_input${k}` : `${name}_expected_output${k}`,
      buffer: `${name}_output${k}`,
      init,
      arrayLength,
      isFloat: t.dtype === 'float32',
    };
  };
  const ins = g.inputs.map((ti, k) => ioView(ti, k, 'input', inputs[k]!));
  const outs = g.outputs.map((ti, k) => ioView(ti, k, 'output', expected[k]!));
  const moduleDir = KINDS[kind].moduleDir(name);
  const moduleSources = [...[...mod.files.keys()].filter((f) => f.endsWith('.c')), ...mod.runtimeFiles.filter((f) => f.endsWith('.c')).map((f) => f.slice(f.lastIndexOf('/') + 1))].sort();
  const description = `${name}: an int8 model compiled to plain C99 (arena ${r.arena_bytes} bytes, weights ${r.weights_bytes} bytes, ${r.macs} MACs), generated by mnetc ${VERSION}`;
  return {
    name, NAME, version: VERSION, kind, app: `${name}_demo`, moduleDir, moduleSources,
    arenaBytes: r.arena_bytes, weightsBytes: r.weights_bytes, macs: r.macs, target: r.target,
    inputs: ins, outputs: outs,
    invokeArgs: [...(r.row_input ? ['read_row', 'NULL'] : ins.map((i) => i.symbol)), ...outs.map((o) => o.buffer)].join(', '),
    rowInput: r.row_input ? { symbol: ins[0]!.symbol } : null,
    anyFloatOutput: outs.some((o) => o.isFloat),
    description,
    jsonName: JSON.stringify(name),
    jsonVersion: JSON.stringify(VERSION),
    jsonDescription: JSON.stringify(description),
    yamlDescription: JSON.stringify(description), // a JSON string is a valid YAML double-quoted scalar
  };
}

/** Lets the module's weights go to .rodata: the ecosystem's linker scripts have no `.weights` output section. */
function weightsToRodata(text: string): string {
  const end = text.indexOf('*/\n');
  const line = '#ifndef MN_NO_WEIGHTS_SECTION\n#define MN_NO_WEIGHTS_SECTION 1 /* project build: weights in plain .rodata (flash) */\n#endif\n';
  return end < 0 ? line + text : `${text.slice(0, end + 3)}${line}${text.slice(end + 3)}`;
}

/**
 * Writes a project of the given kind into `dir`: the model module (writeModule) in the kind's subfolder, the
 * build files, and a self-test main with the embedded test input and expected output. Refuses (MN404) to
 * overwrite files mnetc did not write unless `force`; nothing is written then.
 */
export function writeProject(mod: CompiledModule, kind: ProjectKind, dir: string, opts: ProjectOptions = {}): ProjectResult {
  if (!isProjectKind(kind)) fail('MN405', `unknown project kind '${String(kind)}' (known: ${PROJECT_KINDS.join(', ')})`);
  const info = KINDS[kind];
  const foreign = [...new Set(mod.runtimeFiles.flatMap((f) => variantFamilyOf(f) ?? []))].filter((f) => !info.families.includes(f));
  if (foreign.length) {
    fail('MN405', `the module was compiled for target ${mod.report.target} and uses ${foreign.join(', ')} kernels, which the ${kind} project cannot build; compile it for ${info.families.length ? 'host or cortex-m4' : 'host'} (plain C kernels)`);
  }
  const g = mod.graph;
  const seed = opts.seed ?? 1;
  const testInputs = asList(opts.testInput) ?? g.inputs.map((ti, k) => randomInput(g.tensors[ti]!, seed * 7919 + k));
  checkSizes(g, g.inputs, testInputs, 'input');
  const expectedOutputs = asList(opts.expectedOutput) ?? interpret(g, testInputs).outputs;
  checkSizes(g, g.outputs, expectedOutputs, 'output');

  const data = templateData(mod, kind, testInputs, expectedOutputs);
  const out = new Map<string, string>();
  for (const [path, template] of Object.entries(info.templates)) out.set(path.replace(/NAME/g, mod.name), render(`project/${template}`, data));
  for (const [path, src] of Object.entries(info.copies ?? {})) {
    const text = readFileSync(join(runtimeDir, src), 'utf8');
    out.set(path, `/* generated by mnetc ${VERSION}: a copy of runtime-c/${src} */\n${text}`);
  }

  if (!opts.force) {
    const clobbered = [...out.entries()].filter(([f, text]) => {
      const p = join(dir, f);
      if (!existsSync(p)) return false;
      const old = readFileSync(p, 'utf8');
      return old !== text && !GENERATED_MARK.test(old.slice(0, 4096));
    });
    if (clobbered.length) fail('MN404', `${dir} already has ${clobbered.map(([f]) => f).join(', ')}, not written by mnetc; pass --force to overwrite`);
  }

  const files = new Map(mod.files);
  if (!info.keepModuleBuildFiles) {
    files.delete('CMakeLists.txt');
    files.delete('Makefile');
  }
  if (info.weights === 'file') {
    const w = `${mod.name}_weights.c`;
    if (files.has(w)) files.set(w, weightsToRodata(files.get(w)!));
  }
  const moduleDir = info.moduleDir(mod.name);
  const moduleFiles = writeModule({ ...mod, files }, join(dir, moduleDir), { force: opts.force });

  for (const [f, text] of [...out.entries()].sort((a, b) => a[0].localeCompare(b[0], 'en'))) {
    const p = join(dir, f);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  const written = [...out.keys(), ...moduleFiles.map((f) => `${moduleDir}/${f}`)].sort((a, b) => a.localeCompare(b, 'en'));
  return { kind, dir, files: written, moduleDir, build: info.build(mod.name), testInputs, expectedOutputs };
}
