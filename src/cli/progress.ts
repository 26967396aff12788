// Live progress of a command: a cli-progress bar on a terminal, plain lines otherwise (logs, CI),
// nothing with --json. Written to stderr, so stdout stays the command's result.
import { SingleBar } from 'cli-progress';

export interface ProgressView {
  /** `fraction` in [0, 1], or null when the total is unknown. */
  update(fraction: number | null, text: string): void;
  stop(): void;
}

export type ProgressMode = 'bar' | 'lines' | 'none';

export function progressMode(options: { json?: boolean; quiet?: boolean }, stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  if (options.json || options.quiet) return 'none';
  return stream.isTTY ? 'bar' : 'lines';
}

/** Plain lines print at most this often, and whenever the text's first word (a phase) changes. */
const LINE_INTERVAL_MS = 2000;

export function createProgress(mode: ProgressMode, label: string, stream: NodeJS.WriteStream = process.stderr): ProgressView {
  if (mode === 'none') return { update: () => undefined, stop: () => undefined };
  if (mode === 'lines') {
    let last = 0;
    let lastText = '';
    return {
      update(fraction, text) {
        const now = Date.now();
        if (text === lastText || (now - last < LINE_INTERVAL_MS && text.split(' ')[0] === lastText.split(' ')[0])) return;
        last = now;
        lastText = text;
        stream.write(`${label}: ${fraction === null ? '' : `${(100 * fraction).toFixed(0).padStart(3)}% `}${text}\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {text}`, stream, hideCursor: true, clearOnComplete: false, barsize: 30, etaBuffer: 20 },
    undefined,
  );
  bar.start(1000, 0, { text: 'waiting' });
  return {
    update(fraction, text) {
      bar.update(fraction === null ? bar.getProgress() * 1000 : Math.round(1000 * Math.min(1, Math.max(0, fraction))), { text });
    },
    stop() {
      bar.stop();
    },
  };
}
