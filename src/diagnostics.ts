/**
 * Diagnostics are data: a stable code, a message and (where known) the byte offset in the model file.
 * Every failure the user can cause surfaces as an MnetcError carrying one or more diagnostics; the CLI maps them
 * to exit codes and prints one line each. Codes never change meaning once published (see README "Diagnostics").
 */

/** Exit status classes, as documented in the README. */
export const ExitCode = {
  ok: 0,
  /** bad invocation, unreadable/corrupt file, wrong input size, ... */
  user: 1,
  /** the model is valid TFLite but uses something mnetc does not support */
  unsupported: 2,
  /** a bug in mnetc */
  internal: 3,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type DiagnosticCode =
  // file / flatbuffer level (MN1xx)
  | 'MN100' // cannot read file
  | 'MN101' // file too small / truncated
  | 'MN102' // bad file identifier
  | 'MN103' // offset out of bounds
  | 'MN104' // vector or string out of bounds
  | 'MN105' // vtable invalid
  | 'MN106' // unsupported schema version
  | 'MN107' // nesting / size limits exceeded
  | 'MN108' // buffer data out of range
  | 'MN109' // unsupported union type where one is required
  // graph structure (MN2xx)
  | 'MN200' // no subgraphs / more than one subgraph
  | 'MN201' // tensor index out of range
  | 'MN202' // shape invalid (negative, too large)
  | 'MN203' // buffer size does not match shape
  | 'MN204' // quantization invalid
  | 'MN205' // operator inputs/outputs malformed
  | 'MN206' // graph not executable (tensor read before written, cycle)
  | 'MN207' // graph has no inputs or no outputs
  | 'MN208' // opcode index out of range
  | 'MN209' // op options invalid (stride 0, ...)
  | 'MN210' // dtype mismatch between connected tensors
  // unsupported (MN3xx)
  | 'MN300' // unsupported operators (all named at once)
  | 'MN301' // unsupported dtype (float / uint8 internals)
  | 'MN302' // unsupported feature of a supported op
  | 'MN303' // sparse tensors
  // run / io (MN4xx)
  | 'MN400' // wrong number of input/output files
  | 'MN401' // input file size mismatch
  | 'MN402' // cannot write output
  | 'MN403' // external tool failed (compiler, emulator)
  | 'MN404' // output directory would overwrite files
  | 'MN405' // invalid command-line value
  | 'MN406' // model does not fit the target
  | 'MN407' // mismatch between engines
  | 'MN499'; // internal error

export interface Diagnostic {
  code: DiagnosticCode;
  message: string;
  /** byte offset into the model file, when the problem is tied to one */
  offset?: number;
}

const unsupportedCodes = new Set<DiagnosticCode>(['MN300', 'MN301', 'MN302', 'MN303']);

export class MnetcError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic | Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map(formatDiagnostic).join('\n'));
    this.name = 'MnetcError';
    this.diagnostics = list;
  }
  get exitCode(): ExitCodeValue {
    if (this.diagnostics.some((d) => d.code === 'MN499')) return ExitCode.internal;
    return this.diagnostics.every((d) => unsupportedCodes.has(d.code)) ? ExitCode.unsupported : ExitCode.user;
  }
}

export function fail(code: DiagnosticCode, message: string, offset?: number): never {
  throw new MnetcError(offset === undefined ? { code, message } : { code, message, offset });
}

export function formatDiagnostic(d: Diagnostic): string {
  const at = d.offset === undefined ? '' : ` (at byte ${d.offset})`;
  return `error ${d.code}: ${d.message}${at}`;
}
