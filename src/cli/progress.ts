/**
 * Progress bars for long loops (`mnetc test` cases, batches): a thin wrapper around cli-progress that draws on
 * stderr only when stderr is a terminal, and does nothing at all otherwise (pipes, CI logs, files, --json),
 * so scripts and logs never see a control character. The bar itself is plain text, never coloured.
 *
 *   const bar = createProgress(cases.length, { label: 'cases' });
 *   try { for (...) { ...; bar.log(`PASS ${name}\n`); bar.tick(); } } finally { bar.stop(); }
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** true when a bar is being drawn */
  readonly active: boolean;
  /** advance by `step` (default 1) */
  tick(step?: number): void;
  /** set the current value */
  update(value: number): void;
  /** write `text` to `out` (default stdout) without tearing the bar: clear its line, write, redraw */
  log(text: string, out?: NodeJS.WritableStream): void;
  /** remove the bar (idempotent); always call it, e.g. in a finally block */
  stop(): void;
}

export interface ProgressOptions {
  /** text before the bar (default "progress") */
  label?: string;
  /** where the bar is drawn (default process.stderr) */
  stream?: NodeJS.WriteStream;
  /** false turns the bar off (e.g. with --json or --quiet); it is off anyway unless `stream` is a TTY */
  enabled?: boolean;
}

/** Whether a bar would be drawn on `stream`: a TTY, a terminal that can move the cursor, MNETC_NO_PROGRESS unset. */
export function progressAllowed(stream: NodeJS.WriteStream = process.stderr): boolean {
  return stream.isTTY === true && process.env.TERM !== 'dumb' && !process.env.MNETC_NO_PROGRESS;
}

class NoProgress implements Progress {
  readonly active = false;
  tick(): void {}
  update(): void {}
  log(text: string, out: NodeJS.WritableStream = process.stdout): void {
    out.write(text);
  }
  stop(): void {}
}

class BarProgress implements Progress {
  private readonly bar: cliProgress.SingleBar;
  private value = 0;
  active = true;
  constructor(total: number, private readonly stream: NodeJS.WriteStream, label: string) {
    this.bar = new cliProgress.SingleBar({
      stream,
      format: `${label} [{bar}] {value}/{total} {percentage}% | {duration_formatted} elapsed, eta {eta_formatted}`,
      barCompleteChar: '#',
      barIncompleteChar: '-',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      stopOnComplete: false,
      forceRedraw: true, // redraw after log() cleared the line
      noTTYOutput: false,
      etaBuffer: 20,
    });
    this.bar.start(total, 0);
  }
  tick(step = 1): void {
    this.update(this.value + step);
  }
  update(value: number): void {
    this.value = value;
    if (this.active) this.bar.update(value);
  }
  log(text: string, out: NodeJS.WritableStream = process.stdout): void {
    if (this.active) {
      this.stream.cursorTo(0);
      this.stream.clearLine(0);
    }
    out.write(text);
    if (this.active) this.bar.render();
  }
  stop(): void {
    if (!this.active) return;
    this.active = false;
    // cli-progress restores the cursor it saved at start: after log() lines that would move it back up over
    // them, so save the current position (on the bar's line) first
    this.stream.write('\x1b7');
    this.bar.stop();
  }
}

/** A bar for `total` steps on stderr when it is a terminal; otherwise an object that only forwards log(). */
export function createProgress(total: number, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.enabled === false || total <= 0 || !progressAllowed(stream)) return new NoProgress();
  return new BarProgress(total, stream, opts.label ?? 'progress');
}

/** Runs `work` over `items` in order with a bar; the bar is removed even when `work` throws. */
export async function withProgress<T, R>(items: readonly T[], opts: ProgressOptions, work: (item: T, index: number, bar: Progress) => Promise<R>): Promise<R[]> {
  const bar = createProgress(items.length, opts);
  const out: R[] = [];
  try {
    for (let i = 0; i < items.length; i++) {
      out.push(await work(items[i]!, i, bar));
      bar.tick();
    }
  } finally {
    bar.stop();
  }
  return out;
}
