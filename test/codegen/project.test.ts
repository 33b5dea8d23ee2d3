/**
 * Project templates (src/codegen/project.ts): every kind is written, the host kinds (cmake, make) are built and
 * run here, stm32-cmake is built for Cortex-M4F and run under QEMU mps2-an386 (and linked for the STM32F4
 * memory map), and the kinds whose toolchains are not here (ESP-IDF, PlatformIO, Arduino) are checked for
 * layout and manifests, with their C sources compiled for the host against stub SDK headers.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, loadModelBytes } from '../../src/api/model.js';
import { MnetcError } from '../../src/diagnostics.js';
import { compileGraph, type CompiledModule } from '../../src/codegen/index.js';
import { PROJECT_KINDS, projectHelp, writeProject, type ProjectKind } from '../../src/codegen/project.js';
import { interpret } from '../../src/interp/index.js';
import { tensorBytes } from '../../src/ir/types.js';
import { canRun, runProgram, toolchainAvailable } from '../../src/targets/index.js';
import { which } from '../../src/targets/tools.js';
import { tinyConvModel } from '../helpers/build-model.js';

const MOBILENET = fileURLToPath(new URL('../fixtures/zoo/v2_0.35_96_c1_notop_none_i8.tflite', import.meta.url));
const HAVE_CMAKE = which('cmake') !== null;
const HAVE_MAKE = which('make') !== null;
const HAVE_CXX = which('c++') !== null;
const STRICT = '-Wall -Wextra -Werror -pedantic';

let work: string;
let tiny: CompiledModule;
let mobilenet: CompiledModule;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mnetc-project-'));
  tiny = compileGraph(loadModelBytes(tinyConvModel()), { name: 'tiny' });
  mobilenet = compileGraph(loadModel(MOBILENET), { name: 'mbv2', modelFile: MOBILENET });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = await execa(cmd, args, { cwd, env, reject: false, timeout: 120_000, stdin: 'ignore' });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), all: `${r.stdout}\n${r.stderr}` };
}

async function ok(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = await sh(cmd, args, cwd, env);
  expect(r.exitCode, `${cmd} ${args.join(' ')}:\n${r.all}`).toBe(0);
  return r;
}

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

/** the C sources of the module written to `moduleDir` (relative to the project) */
const moduleSources = (files: string[], moduleDir: string) => files.filter((f) => f.startsWith(`${moduleDir}/`) && f.endsWith('.c'));

/** "[1x4x4x4]" for the model's first output */
const outShape = (m: CompiledModule) => `[${m.graph.tensors[m.graph.outputs[0]!]!.shape.join('x')}]`;
const inBytes = (m: CompiledModule) => tensorBytes(m.graph.tensors[m.graph.inputs[0]!]!);
const outBytes = (m: CompiledModule) => tensorBytes(m.graph.tensors[m.graph.outputs[0]!]!);

/** the signed values the self-test prints for an int8 output */
function int8Values(bytes: Uint8Array, n = 64): string {
  return Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, Math.min(n, bytes.length))).join(' ');
}

/** a key: value check of the top level of a small YAML file (no YAML parser here) */
function yamlTopKeys(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    const m = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(line);
    if (m) keys.set(m[1]!, m[2]!);
    else expect(line, `YAML line: ${line}`).toMatch(/^ {2,}\S/); // nested under a key
  }
  return keys;
}

describe('writeProject', () => {
  it('projectHelp names every kind', () => {
    const help = projectHelp();
    for (const k of PROJECT_KINDS) expect(help).toContain(k);
    expect(PROJECT_KINDS).toEqual(['esp-idf', 'platformio', 'arduino', 'stm32-cmake', 'cmake', 'make']);
  });

  it('embeds the reference output of a seeded input, or the bytes given', () => {
    const dir = join(work, 'seeded');
    const r = writeProject(tiny, 'cmake', dir);
    expect(r.testInputs[0]!.length).toBe(inBytes(tiny));
    expect(Buffer.from(r.expectedOutputs[0]!)).toEqual(Buffer.from(interpret(tiny.graph, r.testInputs).outputs[0]!));
    const again = writeProject(tiny, 'cmake', dir);
    expect(again.files).toEqual(r.files);
    expect(read(dir, 'tiny_selftest.c')).toContain(`static const int8_t tiny_test_input0[${inBytes(tiny)}u + 1u]`);
    const input = new Uint8Array(inBytes(tiny)).fill(7);
    const given = writeProject(tiny, 'cmake', join(work, 'given'), { testInput: input });
    expect(Buffer.from(given.expectedOutputs[0]!)).toEqual(Buffer.from(interpret(tiny.graph, [input]).outputs[0]!));
    expect(read(join(work, 'given'), 'tiny_selftest.c')).toContain(`"${'\\x07'.repeat(32)}"`);
    expect(() => writeProject(tiny, 'cmake', join(work, 'bad'), { testInput: new Uint8Array(5) })).toThrow(/MN401/);
    expect(() => writeProject(tiny, 'nope' as ProjectKind, join(work, 'bad'))).toThrow(/MN405/);
    // optimised kernels only where the project's toolchain builds them (Arm DSP: stm32-cmake)
    const dsp = { ...tiny, runtimeFiles: [...tiny.runtimeFiles, 'src/mn_conv_s8_dsp.c'] };
    expect(() => writeProject(dsp, 'esp-idf', join(work, 'bad'))).toThrow(/MN405.*dsp kernels/);
    expect(existsSync(join(work, 'bad'))).toBe(false);
  });

  it('refuses to overwrite files it did not write, unless forced; writes nothing then', () => {
    const dir = join(work, 'clobber');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.c'), 'int main(void) { return 42; } /* mine */\n');
    let err: unknown;
    try {
      writeProject(tiny, 'make', dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MnetcError);
    expect((err as MnetcError).diagnostics[0]!.code).toBe('MN404');
    expect((err as Error).message).toContain('main.c');
    expect(existsSync(join(dir, 'Makefile'))).toBe(false);
    expect(existsSync(join(dir, 'model'))).toBe(false);
    writeProject(tiny, 'make', dir, { force: true });
    expect(read(dir, 'main.c')).toContain('generated by mnetc');
    // a file in the module folder is protected by writeModule's own check
    const dir2 = join(work, 'clobber2');
    mkdirSync(join(dir2, 'model'), { recursive: true });
    writeFileSync(join(dir2, 'model', 'tiny.c'), '/* mine */\n');
    expect(() => writeProject(tiny, 'cmake', dir2)).toThrow(/MN404/);
    expect(existsSync(join(dir2, 'CMakeLists.txt'))).toBe(false);
  });
});

describe.skipIf(!HAVE_CMAKE)('cmake project (host)', () => {
  it('configures, builds with -Werror, runs: PASS', async () => {
    const dir = join(work, 'cmake');
    const r = writeProject(tiny, 'cmake', dir);
    expect(r.files).toEqual(expect.arrayContaining(['CMakeLists.txt', 'main.c', 'tiny_selftest.c', 'tiny_selftest.h', 'model/tiny.c', 'model/tiny.h', 'model/CMakeLists.txt', 'model/mn_kernels.h']));
    await ok('cmake', ['-S', '.', '-B', 'build'], dir, { CFLAGS: STRICT });
    await ok('cmake', ['--build', 'build'], dir);
    const run = await ok(join(dir, 'build', 'tiny_demo'), [], dir);
    expect(run.stdout).toMatch(/^PASS$/m);
    expect(run.stdout).toContain(`output0 int8 ${outShape(tiny)}: ${int8Values(r.expectedOutputs[0]!)}`);
    expect(run.stdout).toMatch(/^cycles: 0$/m);
    await ok('ctest', ['--test-dir', 'build'], dir);
  }, 60_000);
});

describe.skipIf(!HAVE_MAKE)('make project (host)', () => {
  it('builds the MobileNetV2 with -Werror, runs: PASS', async () => {
    const dir = join(work, 'make');
    const r = writeProject(mobilenet, 'make', dir);
    expect(r.moduleDir).toBe('model');
    await ok('make', [`CFLAGS=-O2 ${STRICT}`], dir);
    const run = await ok(join(dir, 'mbv2_demo'), [], dir);
    expect(run.stdout).toMatch(/^PASS$/m);
    expect(run.stdout).toContain(`output0 int8 ${outShape(mobilenet)}: ${int8Values(r.expectedOutputs[0]!)} ... (${outBytes(mobilenet)} values)\n`);
  }, 60_000);

  it('a wrong expected output gives FAIL and exit status 1', async () => {
    const dir = join(work, 'make-fail');
    const input = new Uint8Array(inBytes(tiny)).fill(3);
    const wrong = interpret(tiny.graph, [input]).outputs[0]!.slice();
    wrong[5] = (wrong[5]! + 1) & 0xff;
    writeProject(tiny, 'make', dir, { testInput: input, expectedOutput: wrong });
    await ok('make', [], dir);
    const run = await sh(join(dir, 'tiny_demo'), [], dir);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^FAIL$/m);
    expect(run.stdout).toContain(`output0: 1 of ${outBytes(tiny)} bytes differ; first at byte 5`);
  }, 60_000);
});

describe.skipIf(!HAVE_CMAKE || !toolchainAvailable('cortex-m4'))('stm32-cmake project (Cortex-M4F)', () => {
  let dir: string;
  let expected: Uint8Array;
  beforeAll(() => {
    dir = join(work, 'stm32');
    const r = writeProject(mobilenet, 'stm32-cmake', dir);
    expected = r.expectedOutputs[0]!;
    for (const f of ['cmake/arm-none-eabi.cmake', 'platform/arm/startup_stm32f4.c', 'platform/arm/stm32f4.ld', 'platform/arm/startup_cm.c', 'platform/arm/mps2_an386.ld', 'platform/arm/sections.ld', 'platform/mn_io.h', 'platform/mn_io_semihost_arm.c', 'platform/retarget_semihost.c', 'model/mbv2.c']) {
      expect(r.files).toContain(f);
    }
    const tc = read(dir, 'cmake/arm-none-eabi.cmake');
    expect(tc).toContain('-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16');
  });

  it.skipIf(!canRun('cortex-m4'))('builds for QEMU mps2-an386 with -Werror and runs under semihosting: PASS', async () => {
    await ok('cmake', ['-S', '.', '-B', 'build-qemu', '-DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake', '-DMNETC_BOARD=qemu-mps2-an386', `-DCMAKE_C_FLAGS=${STRICT}`], dir);
    await ok('cmake', ['--build', 'build-qemu'], dir);
    const run = await runProgram('cortex-m4', join(dir, 'build-qemu', 'mbv2_demo.elf'), { cwd: dir, timeoutMs: 30_000 });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^PASS$/m);
    expect(run.stdout).toContain(`output0 int8 ${outShape(mobilenet)}: ${int8Values(expected)} ...`);
    expect(run.stdout).toMatch(/^cycles: 0$/m); // QEMU does not model DWT->CYCCNT
  }, 60_000);

  it('links for the STM32F4 memory map: vectors at 0x08000000, weights in flash, .bin and .hex', async () => {
    await ok('cmake', ['-S', '.', '-B', 'build-f4', '-DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake'], dir, { CFLAGS: STRICT });
    await ok('cmake', ['--build', 'build-f4'], dir);
    for (const f of ['mbv2_demo.elf', 'mbv2_demo.bin', 'mbv2_demo.hex']) expect(existsSync(join(dir, 'build-f4', f))).toBe(true);
    const nm = await ok('arm-none-eabi-nm', [join(dir, 'build-f4', 'mbv2_demo.elf')], dir);
    expect(nm.stdout).toMatch(/^08000000 [TR] mn_vectors$/m);
    expect(nm.stdout).toMatch(/^[0-9a-f]+ W mn_putc$/m); // the weak ITM default: no semihosting on the board
    const h = await ok('arm-none-eabi-objdump', ['-h', join(dir, 'build-f4', 'mbv2_demo.elf')], dir);
    expect(h.stdout).toMatch(/\.weights\s+[0-9a-f]+\s+080[0-9a-f]{5}/);
    expect(h.stdout).toMatch(/\.bss\s+[0-9a-f]+\s+200[0-9a-f]{5}/);
  }, 60_000);
});

describe('esp-idf project (layout; sources compiled for the host against stub SDK headers)', () => {
  let dir: string;
  let files: string[];
  beforeAll(() => {
    dir = join(work, 'esp-idf');
    files = writeProject(tiny, 'esp-idf', dir).files;
  });

  it('has the project, component and app files with valid manifests', () => {
    expect(read(dir, 'CMakeLists.txt')).toMatch(/cmake_minimum_required\(VERSION 3\.16\)\ninclude\(\$ENV\{IDF_PATH\}\/tools\/cmake\/project\.cmake\)\nproject\(tiny_demo\)/);
    const comp = read(dir, 'components/tiny/CMakeLists.txt');
    expect(comp).toContain('idf_component_register(SRCS');
    expect(comp).toContain('INCLUDE_DIRS "."');
    expect(comp).toContain('MN_NO_WEIGHTS_SECTION');
    const srcs = [...comp.matchAll(/^\s+"([\w.]+\.c)"$/gm)].map((m) => m[1]!);
    expect(srcs.map((f) => `components/tiny/${f}`).sort()).toEqual(moduleSources(files, 'components/tiny').sort());
    expect(srcs).toEqual(expect.arrayContaining(['tiny.c', 'tiny_weights.c']));
    expect(existsSync(join(dir, 'components/tiny/Makefile'))).toBe(false); // the module's own build files are left out
    const yml = yamlTopKeys(read(dir, 'components/tiny/idf_component.yml'));
    expect(yml.get('version')).toBe('"0.1.0"');
    expect(JSON.parse(yml.get('description')!)).toContain('tiny');
    expect(yml.has('dependencies')).toBe(true);
    expect(read(dir, 'components/tiny/idf_component.yml')).toMatch(/^dependencies:\n {2}idf: ">=4\.4"$/m);
    expect(yamlTopKeys(read(dir, 'main/idf_component.yml')).has('dependencies')).toBe(true);
    expect(read(dir, 'main/CMakeLists.txt')).toMatch(/idf_component_register\(SRCS "main\.c" "tiny_selftest\.c"[\s\S]*REQUIRES tiny\)/);
    const main = read(dir, 'main/main.c');
    expect(main).toContain('void app_main(void)');
    expect(main).toContain('esp_cpu_get_cycle_count()');
    expect(read(dir, 'sdkconfig.defaults')).toMatch(/^CONFIG_ESP_MAIN_TASK_STACK_SIZE=8192$/m);
  });

  it('main/ and the component compile and pass on the host with a stub esp_cpu.h', async () => {
    const stub = join(dir, 'stub');
    mkdirSync(stub, { recursive: true });
    writeFileSync(join(stub, 'esp_cpu.h'), '#include <stdint.h>\nstatic inline uint32_t esp_cpu_get_cycle_count(void) { return 0; }\n');
    writeFileSync(join(stub, 'boot.c'), 'void app_main(void);\nint main(void) { app_main(); return 0; }\n');
    const comp = 'components/tiny';
    const srcs = ['main/main.c', 'main/tiny_selftest.c', ...moduleSources(files, comp), 'stub/boot.c'];
    await ok('cc', ['-std=gnu99', ...STRICT.split(' '), '-DMN_NO_WEIGHTS_SECTION', `-I${stub}`, `-I${comp}`, '-Imain', '-o', 'selftest', ...srcs], dir);
    const run = await ok(join(dir, 'selftest'), [], dir);
    expect(run.stdout).toMatch(/^PASS$/m);
  }, 60_000);
});

describe('platformio project (layout; sources compiled for the host and for Cortex-M4)', () => {
  let dir: string;
  let files: string[];
  beforeAll(() => {
    dir = join(work, 'platformio');
    files = writeProject(tiny, 'platformio', dir).files;
  });

  it('has platformio.ini with both envs, lib/tiny/library.json and src/main.c', () => {
    const ini = read(dir, 'platformio.ini');
    const sections = new Map<string, Map<string, string>>();
    let cur: Map<string, string> | null = null;
    for (const line of ini.split('\n')) {
      if (/^\s*([;#]|$)/.test(line)) continue;
      const s = /^\[([^\]]+)\]$/.exec(line);
      if (s) {
        cur = new Map();
        sections.set(s[1]!, cur);
        continue;
      }
      const kv = /^([\w.]+)\s*=\s*(.*)$/.exec(line);
      expect(kv, `platformio.ini line: ${line}`).not.toBeNull();
      expect(cur).not.toBeNull();
      cur!.set(kv![1]!, kv![2]!);
    }
    expect([...sections.keys()]).toEqual(['platformio', 'env', 'env:esp32-c3', 'env:nucleo_f446re']);
    expect(sections.get('env:esp32-c3')).toEqual(new Map([['platform', 'espressif32'], ['board', 'esp32-c3-devkitm-1'], ['framework', 'espidf']]));
    expect(sections.get('env:nucleo_f446re')).toEqual(new Map([['platform', 'ststm32'], ['board', 'nucleo_f446re'], ['framework', 'stm32cube']]));
    const lib = JSON.parse(read(dir, 'lib/tiny/library.json')) as { name: string; version: string; build: { srcDir: string; includeDir: string; flags: string[] } };
    expect(lib.name).toBe('tiny');
    expect(lib.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(lib.build).toEqual({ srcDir: 'src', includeDir: 'src', flags: ['-DMN_NO_WEIGHTS_SECTION'] });
    for (const f of ['lib/tiny/src/tiny.c', 'lib/tiny/src/tiny.h', 'lib/tiny/src/mn_kernels.h', 'src/main.c', 'src/tiny_selftest.c', 'CMakeLists.txt', 'src/CMakeLists.txt']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(read(dir, 'src/CMakeLists.txt')).toContain('idf_component_register(SRCS ${app_sources})');
  });

  it('the ESP-IDF branch of src/main.c passes on the host (stub esp_cpu.h); the STM32 branch compiles for Cortex-M4', async () => {
    const stub = join(dir, 'stub');
    mkdirSync(stub, { recursive: true });
    writeFileSync(join(stub, 'esp_cpu.h'), '#include <stdint.h>\nstatic inline uint32_t esp_cpu_get_cycle_count(void) { return 0; }\n');
    writeFileSync(join(stub, 'boot.c'), 'void app_main(void);\nint main(void) { app_main(); return 0; }\n');
    const lib = 'lib/tiny/src';
    const srcs = ['src/main.c', 'src/tiny_selftest.c', ...moduleSources(files, lib), 'stub/boot.c'];
    await ok('cc', ['-std=gnu99', ...STRICT.split(' '), '-DESP_PLATFORM', '-DMN_NO_WEIGHTS_SECTION', `-I${stub}`, `-I${lib}`, '-Isrc', '-o', 'selftest', ...srcs], dir);
    expect((await ok(join(dir, 'selftest'), [], dir)).stdout).toMatch(/^PASS$/m);
    if (toolchainAvailable('cortex-m4')) {
      await ok('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-std=gnu99', ...STRICT.split(' '), `-I${lib}`, '-Isrc', '-c', 'src/main.c', '-o', 'main_cm4.o'], dir);
    }
  }, 60_000);
});

describe('arduino library (layout; the example compiled for the host against a stub Arduino core)', () => {
  let dir: string;
  let files: string[];
  beforeAll(() => {
    dir = join(work, 'arduino', 'tiny');
    files = writeProject(tiny, 'arduino', dir).files;
  });

  it('has library.properties, src/ and examples/tiny_demo/tiny_demo.ino', () => {
    const props = new Map<string, string>();
    for (const line of read(dir, 'library.properties').split('\n')) {
      if (/^\s*(#|$)/.test(line)) continue;
      const m = /^([\w.]+)=(.*)$/.exec(line);
      expect(m, `library.properties line: ${line}`).not.toBeNull();
      props.set(m![1]!, m![2]!);
    }
    for (const k of ['name', 'version', 'author', 'maintainer', 'sentence', 'paragraph', 'category', 'url', 'architectures', 'includes']) expect(props.has(k), k).toBe(true);
    expect(props.get('name')).toBe('tiny');
    expect(props.get('includes')).toBe('tiny.h');
    expect(props.get('architectures')).toBe('*');
    for (const f of ['src/tiny.h', 'src/tiny.c', 'src/tiny_weights.c', 'src/mn_kernels.h', 'examples/tiny_demo/tiny_demo.ino', 'examples/tiny_demo/tiny_selftest.c']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(existsSync(join(dir, 'src/CMakeLists.txt'))).toBe(false);
    expect(read(dir, 'src/tiny_weights.c')).toMatch(/#define MN_NO_WEIGHTS_SECTION 1/);
    const ino = read(dir, 'examples/tiny_demo/tiny_demo.ino');
    expect(ino).toContain('#include <tiny.h>');
    expect(ino).toMatch(/void setup\(\) \{[\s\S]*tiny_selftest\(\);/);
    expect(ino).toContain('void loop() {}');
  });

  it.skipIf(!HAVE_CXX)('the sketch and the library pass on the host with a stub Arduino core', async () => {
    const stub = join(dir, '..', 'stub');
    mkdirSync(stub, { recursive: true });
    writeFileSync(
      join(stub, 'Arduino.h'),
      [
        '#include <stdint.h>',
        '#include <stdio.h>',
        'struct StubSerial { void begin(unsigned long) {} size_t write(uint8_t c) { return fwrite(&c, 1, 1, stdout); } explicit operator bool() const { return true; } };',
        'extern StubSerial Serial;',
        'struct StubEsp { uint32_t getCycleCount() { return 0; } };',
        'extern StubEsp ESP;',
        'inline unsigned long millis() { return 0; }',
        '',
      ].join('\n'),
    );
    writeFileSync(join(stub, 'boot.cpp'), 'StubSerial Serial;\nStubEsp ESP;\nvoid setup();\nint main() { setup(); return 0; }\n');
    const objs: string[] = [];
    for (const c of [...moduleSources(files, 'src'), 'examples/tiny_demo/tiny_selftest.c']) {
      const o = join(stub, `${c.replace(/\W/g, '_')}.o`);
      await ok('cc', ['-std=gnu99', ...STRICT.split(' '), '-Isrc', '-c', c, '-o', o], dir);
      objs.push(o);
    }
    await ok('c++', ['-std=gnu++11', '-Wall', '-Wextra', '-Werror', '-DARDUINO_ARCH_ESP32', `-I${stub}`, '-include', 'Arduino.h', '-Isrc', '-x', 'c++', 'examples/tiny_demo/tiny_demo.ino', '-x', 'none', join(stub, 'boot.cpp'), ...objs, '-o', join(stub, 'sketch')], dir);
    const run = await ok(join(stub, 'sketch'), [], dir);
    expect(run.stdout).toMatch(/^PASS\r?$/m);
  }, 60_000);
});
