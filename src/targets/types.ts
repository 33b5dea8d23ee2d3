/**
 * Targets as data: what mnetc knows about each place a generated C module can run — the compiler and its
 * flags, the platform files linked in, the emulator (if any) and the memory the linker script provides.
 * The behaviour lives in ./index.ts; the table of targets in ./catalog.ts.
 */

export type TargetName =
  | 'host'
  | 'cortex-m4'
  | 'cortex-m7'
  | 'cortex-m33'
  | 'cortex-m55'
  | 'riscv32'
  | 'esp32'
  | 'esp32s3';

export type TargetKind = 'host' | 'arm' | 'riscv' | 'xtensa';

/**
 * Kernel implementations a target can use: 'ref' portable C, 'dsp' Armv7E-M/v8-M DSP extension (SMLAD & co),
 * 'mve' Armv8.1-M Helium, 'rv32' plain rv32imc-tuned C.
 */
export type KernelVariant = 'ref' | 'dsp' | 'mve' | 'rv32';

/** One memory region of the linker script. */
export interface MemoryRegion {
  name: string;
  origin: number;
  bytes: number;
  /** output sections placed here (run addresses), e.g. ['.text', '.rodata'] */
  holds: readonly string[];
}

/**
 * Capacities, in bytes, that generated code has to fit into. For the emulated targets these are what the
 * QEMU machine + our linker script provide (not a particular retail board); for build-only targets they are
 * typical module sizes.
 */
export interface MemoryMap {
  /** code + .rodata (+ the .data load image) */
  flash: number;
  /** .data + .bss (activation arena, scratch buffers); the stack is not included */
  sram: number;
  /** the region holding the `.weights` section (MN_WEIGHTS in runtime-c/platform/mn_io.h) */
  weights: number;
  /** stack reserved by default at the top of its region (override: -Wl,--defsym=__stack_size=N) */
  stack: number;
  regions: readonly MemoryRegion[];
}

export interface QemuConfig {
  /** executable, e.g. 'qemu-system-arm' */
  binary: string;
  machine: string;
  /** arguments after `-M <machine>` and before the semihosting/plugin/kernel arguments */
  args: readonly string[];
  /**
   * Clock of the counter behind mn_io_cycles() (Arm: SysTick at the core clock). Under `-icount shift=0`
   * one instruction takes 1 ns, so instructions = cycles * 1e9 / clockHz (an386: 40 per tick).
   * null when mn_io_cycles() already counts instructions under icount (RISC-V mcycle).
   */
  clockHz: number | null;
}

export interface Target {
  name: TargetName;
  description: string;
  kind: TargetKind;
  /** -mcpu / core name, informational */
  cpu: string;
  /** C compiler executable (also used as the linker driver) */
  cc: string;
  /** prefix of the binutils (size, nm): 'arm-none-eabi-', '' for the host */
  binutilsPrefix: string;
  /** every compile flag: language, warnings, optimisation, architecture */
  cflags: readonly string[];
  /** link flags (before the objects); the linker script is added separately */
  ldflags: readonly string[];
  /** libraries (after the objects) */
  libs: readonly string[];
  /** platform sources linked into every program, relative to runtime-c/platform: I/O layer + startup */
  platformSources: readonly string[];
  /** linker script relative to runtime-c/platform (its directory is also passed with -L), or null */
  linkerScript: string | null;
  /** files the compiler must find with -print-file-name for the toolchain to count as installed */
  requiredFiles: readonly string[];
  /** how to emulate it, or null (host: run directly; build-only targets: cannot run here) */
  qemu: QemuConfig | null;
  /** kernel variants usable on this target, best first is the caller's choice */
  kernels: readonly KernelVariant[];
  /** null for the host (no fixed limits) */
  memory: MemoryMap | null;
  /** true when nothing here can run it (buildProgram makes a relocatable object instead of a program) */
  buildOnly: boolean;
  notes?: string;
}

export interface BuildOptions {
  /** C (or .S) files of the program; relative paths are taken from the current directory */
  sources: string[];
  includeDirs: string[];
  /** -D name=value; an empty value gives a plain -Dname */
  defines?: Record<string, string>;
  outDir: string;
  /** output file stem: <outDir>/<name>.elf (<outDir>/<name> for the host) */
  name: string;
  /** appended to the compile+link command line, e.g. ['-fsanitize=address,undefined'] or ['-O3'] */
  extraCflags?: string[];
  /** link the platform I/O + startup sources (default true) */
  platform?: boolean;
  /** compiler time limit (default 300 s) */
  timeoutMs?: number;
}

export interface BuildResult {
  elfPath: string;
  /** linker map (firmware targets only) */
  mapPath?: string;
  /** the compiler command that ran, for logs */
  command: string[];
}

export interface RunOptions {
  /** working directory: the program's (and, under QEMU, semihosting's) relative file names resolve here */
  cwd: string;
  /** hard limit; the run is killed and MN403 thrown when it is exceeded (default 60 s) */
  timeoutMs?: number;
  /** emulated targets: run with `-icount shift=0` and the instruction-count plugin */
  countInstructions?: boolean;
  /** emulated targets: run with `-icount shift=0` (deterministic mn_io_cycles()); default: countInstructions */
  icount?: boolean;
  /** with countInstructions: also collect the per-mnemonic histogram */
  histogram?: boolean;
  /** with countInstructions: also count executed instructions per guest address (RunResult.pcCounts) */
  pcProfile?: boolean;
  /** host only: command-line arguments */
  args?: string[];
}

export interface RunResult {
  exitCode: number;
  /** set when the host program was killed by a signal (exitCode is then 128 + signal number) */
  signal?: string;
  stdout: string;
  /** the program's / emulator's stderr without the plugin's lines */
  stderr: string;
  /** total guest instructions executed (countInstructions on an emulated target) */
  instructions?: number;
  /** instructions between consecutive mn_bench_mark() calls: marks[i] = count from call i to call i+1 */
  marks?: number[];
  /** instructions executed up to each mn_bench_mark() call */
  markTotals?: number[];
  /** executed instructions per mnemonic (histogram option) */
  histogram?: Record<string, number>;
  /** executed instructions per guest address (pcProfile option; the whole run, boot included) */
  pcCounts?: Map<number, number>;
  wallMs: number;
  command: string[];
}

export interface SizeInfo {
  /** Berkeley `size` numbers: text = code + all read-only data (incl. .weights), bss includes the reserved stack */
  text: number;
  data: number;
  bss: number;
  /** allocated sections by name (size -A) */
  sections: Record<string, number>;
}
