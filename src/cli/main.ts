#!/usr/bin/env node
/**
 * mnetc's command line: a thin face over src/api. Parses flags, prints tables or JSON, and maps diagnostics
 * to exit codes (0 ok, 1 user error, 2 model not supported, 3 internal error).
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, formatDiagnostic, MnetcError } from '../diagnostics.js';
import { registerCommands } from './commands.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('mnetc')
    .description('Compile int8 MobileNet .tflite models into plain, bit-exact C for microcontrollers')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .showHelpAfterError('(run with --help for usage)');
  registerCommands(program);
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (e) {
    return reportError(e);
  }
}

export function reportError(e: unknown): number {
  if (e instanceof MnetcError) {
    for (const d of e.diagnostics) process.stderr.write(`mnetc: ${formatDiagnostic(d)}\n`);
    return e.exitCode;
  }
  if (e instanceof CommanderError) {
    // commander has printed its message already; --help and --version exit 0
    return e.exitCode === 0 ? ExitCode.ok : ExitCode.user;
  }
  const err = e as Error;
  process.stderr.write(`mnetc: internal error MN499: ${err?.message ?? String(e)} (please report it; set MNETC_DEBUG=1 for details)\n`);
  if (process.env.MNETC_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  return ExitCode.internal;
}

// `mnetc inspect m.tflite | head` closes our stdout early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(ExitCode.ok);
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = reportError(e);
  },
);
