/**
 * The targets mnetc can build for. Flags, machines and memory layouts follow what was verified on the
 * reference machine (Debian 12: arm-none-eabi-gcc 12.2 + newlib, riscv64-unknown-elf-gcc 12.2 + picolibc,
 * QEMU 7.2); see docs/targets.md. Memory numbers must agree with runtime-c/platform/{arm,riscv}/*.ld.
 */
import type { MemoryMap, MemoryRegion, QemuConfig, Target, TargetName } from './types.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** default stack reserved by the linker scripts (__stack_size) */
export const DEFAULT_STACK_BYTES = 16 * KiB;

/** flags every target compiles with */
export const COMMON_CFLAGS: readonly string[] = [
  '-std=c99',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-O2',
  '-ffunction-sections',
  '-fdata-sections',
];

const ARM_LDFLAGS = ['-nostdlib', '-Wl,--gc-sections'];
/** newlib-nano supplies memcpy/memset/string.h (no syscalls: nothing needing them may be used), libgcc the helpers */
const ARM_LIBS = ['-Wl,--start-group', '-lc_nano', '-lgcc', '-Wl,--end-group'];
const ARM_SOURCES = ['mn_io_semihost_arm.c', 'arm/startup_cm.c'];

const region = (name: string, origin: number, bytes: number, holds: string[]): MemoryRegion => ({
  name,
  origin,
  bytes,
  holds,
});

/** mps2 machines: 4 MiB code at `code`, 4 MiB SRAM at `sram` (data, bss, stack), 16 MiB PSRAM for weights */
function mps2Memory(code: number, sram: number, psram: number): MemoryMap {
  return {
    flash: 4 * MiB,
    sram: 4 * MiB - DEFAULT_STACK_BYTES,
    weights: 16 * MiB,
    stack: DEFAULT_STACK_BYTES,
    regions: [
      region('FLASH', code, 4 * MiB, ['.text', '.rodata', '.data (load image)']),
      region('RAM', sram, 4 * MiB, ['.data', '.bss', '.stack']),
      region('PSRAM', psram, 16 * MiB, ['.weights']),
    ],
  };
}

function armQemu(machine: string, clockHz: number): QemuConfig {
  return { binary: 'qemu-system-arm', machine, args: [], clockHz };
}

const TARGETS: readonly Target[] = [
  {
    name: 'host',
    description: 'the machine mnetc runs on (system C compiler, stdio)',
    kind: 'host',
    cpu: 'native',
    cc: 'cc',
    binutilsPrefix: '',
    cflags: [...COMMON_CFLAGS],
    ldflags: process.platform === 'darwin' ? ['-Wl,-dead_strip'] : ['-Wl,--gc-sections'],
    libs: [],
    platformSources: ['mn_io_host.c'],
    linkerScript: null,
    requiredFiles: [],
    qemu: null,
    kernels: ['ref'],
    memory: null,
    buildOnly: false,
  },
  {
    name: 'cortex-m4',
    description: 'Arm Cortex-M4F on QEMU mps2-an386',
    kind: 'arm',
    cpu: 'cortex-m4',
    cc: 'arm-none-eabi-gcc',
    binutilsPrefix: 'arm-none-eabi-',
    cflags: [...COMMON_CFLAGS, '-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'],
    ldflags: ARM_LDFLAGS,
    libs: ARM_LIBS,
    platformSources: ARM_SOURCES,
    linkerScript: 'arm/mps2_an386.ld',
    requiredFiles: ['libc_nano.a'],
    qemu: armQemu('mps2-an386', 25_000_000),
    kernels: ['ref', 'dsp'],
    memory: mps2Memory(0x0000_0000, 0x2000_0000, 0x2100_0000),
    buildOnly: false,
  },
  {
    name: 'cortex-m7',
    description: 'Arm Cortex-M7 (double-precision FPU) on QEMU mps2-an500',
    kind: 'arm',
    cpu: 'cortex-m7',
    cc: 'arm-none-eabi-gcc',
    binutilsPrefix: 'arm-none-eabi-',
    cflags: [...COMMON_CFLAGS, '-mcpu=cortex-m7', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-d16'],
    ldflags: ARM_LDFLAGS,
    libs: ARM_LIBS,
    platformSources: ARM_SOURCES,
    linkerScript: 'arm/mps2_an500.ld',
    requiredFiles: ['libc_nano.a'],
    qemu: armQemu('mps2-an500', 25_000_000),
    kernels: ['ref', 'dsp'],
    memory: mps2Memory(0x0000_0000, 0x2000_0000, 0x6000_0000),
    buildOnly: false,
    notes: 'QEMU models no caches: instruction counts only',
  },
  {
    name: 'cortex-m33',
    description: 'Arm Cortex-M33 (Armv8-M mainline + DSP, secure state) on QEMU mps2-an505',
    kind: 'arm',
    cpu: 'cortex-m33',
    cc: 'arm-none-eabi-gcc',
    binutilsPrefix: 'arm-none-eabi-',
    cflags: [...COMMON_CFLAGS, '-mcpu=cortex-m33', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-sp-d16'],
    ldflags: ARM_LDFLAGS,
    libs: ARM_LIBS,
    platformSources: ARM_SOURCES,
    linkerScript: 'arm/mps2_an505.ld',
    requiredFiles: ['libc_nano.a'],
    qemu: armQemu('mps2-an505', 20_000_000),
    kernels: ['ref', 'dsp'],
    memory: mps2Memory(0x1000_0000, 0x3800_0000, 0x8000_0000),
    buildOnly: false,
  },
  {
    name: 'cortex-m55',
    description: 'Arm Cortex-M55 (Armv8.1-M, Helium/MVE) on QEMU mps3-an547',
    kind: 'arm',
    cpu: 'cortex-m55',
    cc: 'arm-none-eabi-gcc',
    binutilsPrefix: 'arm-none-eabi-',
    cflags: [...COMMON_CFLAGS, '-mcpu=cortex-m55', '-mthumb', '-mfloat-abi=hard'],
    ldflags: ARM_LDFLAGS,
    libs: ARM_LIBS,
    platformSources: ARM_SOURCES,
    linkerScript: 'arm/mps3_an547.ld',
    requiredFiles: ['libc_nano.a'],
    qemu: armQemu('mps3-an547', 32_000_000),
    kernels: ['ref', 'dsp', 'mve'],
    memory: {
      flash: 512 * KiB,
      sram: 4 * MiB,
      weights: 8 * MiB,
      stack: DEFAULT_STACK_BYTES,
      regions: [
        region('ITCM', 0x0000_0000, 512 * KiB, ['.text', '.data (load image)']),
        region('DTCM', 0x2000_0000, 512 * KiB, ['.data', '.stack']),
        region('ISRAM', 0x2100_0000, 4 * MiB, ['.bss']),
        region('QSPI', 0x2800_0000, 8 * MiB, ['.rodata', '.weights']),
      ],
    },
    buildOnly: false,
    notes: 'gcc 12 does not auto-vectorise int8 loops for MVE: use <arm_mve.h> intrinsics. QSPI is read-only at run time.',
  },
  {
    name: 'riscv32',
    description: 'RISC-V rv32imc (ESP32-C3 class) on QEMU virt, bare metal',
    kind: 'riscv',
    cpu: 'rv32imc',
    cc: 'riscv64-unknown-elf-gcc',
    binutilsPrefix: 'riscv64-unknown-elf-',
    cflags: [
      ...COMMON_CFLAGS,
      '-march=rv32imc',
      '-mabi=ilp32',
      '-misa-spec=2.2',
      '-ffreestanding',
      '--specs=picolibc.specs',
    ],
    ldflags: ['-nostartfiles', '-Wl,--gc-sections'],
    libs: ['-Wl,--start-group', '-lc', '-lgcc', '-Wl,--end-group'],
    platformSources: ['mn_io_semihost_riscv.c', 'riscv/crt0.S'],
    linkerScript: 'riscv/virt.ld',
    requiredFiles: ['picolibc.specs'],
    qemu: { binary: 'qemu-system-riscv32', machine: 'virt', args: ['-bios', 'none', '-m', '128M'], clockHz: null },
    kernels: ['ref', 'rv32'],
    memory: {
      flash: 4 * MiB,
      sram: 16 * MiB - DEFAULT_STACK_BYTES,
      weights: 12 * MiB,
      stack: DEFAULT_STACK_BYTES,
      regions: [
        region('ROM', 0x8000_0000, 4 * MiB, ['.text', '.rodata', '.data (load image)']),
        region('WEIGHTS', 0x8040_0000, 12 * MiB, ['.weights']),
        region('RAM', 0x8100_0000, 16 * MiB, ['.data', '.bss', '.stack']),
      ],
    },
    buildOnly: false,
    notes:
      'picolibc provides <string.h>, memcpy, memset; -ffreestanding implies -fno-builtin, use __builtin_memcpy for small fixed copies',
  },
  {
    name: 'esp32',
    description: 'Espressif ESP32 (Xtensa LX6), build only: needs ESP-IDF’s xtensa-esp32-elf-gcc',
    kind: 'xtensa',
    cpu: 'esp32',
    cc: 'xtensa-esp32-elf-gcc',
    binutilsPrefix: 'xtensa-esp32-elf-',
    cflags: [...COMMON_CFLAGS, '-mlongcalls'],
    ldflags: [],
    libs: [],
    platformSources: [],
    linkerScript: null,
    requiredFiles: [],
    qemu: null,
    kernels: ['ref'],
    memory: {
      flash: 4 * MiB,
      sram: 320 * KiB,
      weights: 4 * MiB,
      stack: 8 * KiB,
      regions: [
        region('FLASH', 0x3f40_0000, 4 * MiB, ['.rodata', '.weights']),
        region('DRAM', 0x3ffb_0000, 320 * KiB, ['.data', '.bss']),
      ],
    },
    buildOnly: true,
    notes: 'typical module; ESP-IDF limits static .bss further (~160 KiB): large arenas belong in heap or PSRAM',
  },
  {
    name: 'esp32s3',
    description: 'Espressif ESP32-S3 (Xtensa LX7), build only: needs ESP-IDF’s xtensa-esp32s3-elf-gcc',
    kind: 'xtensa',
    cpu: 'esp32s3',
    cc: 'xtensa-esp32s3-elf-gcc',
    binutilsPrefix: 'xtensa-esp32s3-elf-',
    cflags: [...COMMON_CFLAGS, '-mlongcalls'],
    ldflags: [],
    libs: [],
    platformSources: [],
    linkerScript: null,
    requiredFiles: [],
    qemu: null,
    kernels: ['ref'],
    memory: {
      flash: 8 * MiB,
      sram: 512 * KiB,
      weights: 8 * MiB,
      stack: 8 * KiB,
      regions: [
        region('FLASH', 0x3c00_0000, 8 * MiB, ['.rodata', '.weights']),
        region('SRAM', 0x3fc8_8000, 512 * KiB, ['.data', '.bss']),
      ],
    },
    buildOnly: true,
    notes: 'typical module (8 MiB flash); an 8 MiB PSRAM variant holds larger arenas',
  },
];

export const TARGET_TABLE: ReadonlyMap<TargetName, Target> = new Map(TARGETS.map((t) => [t.name, t]));
