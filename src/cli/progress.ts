/** A progress bar on stderr when it is a terminal; silent otherwise (logs and CI stay clean). */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/** The placeholders cli-progress fills itself; any other `{name}` in a format is the caller's payload. */
const BUILT_IN = new Set(['bar', 'value', 'total', 'percentage', 'eta', 'eta_formatted', 'duration', 'duration_formatted']);

/** Every payload placeholder of `format` set to '—', so the first frame never shows a raw `{name}`. */
export function initialPayload(format: string): Record<string, string> {
  const names = [...format.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((n) => !BUILT_IN.has(n));
  return Object.fromEntries(names.map((n) => [n, '—']));
}

export function progressBar(total: number, format: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({ format, stream, etaBuffer: 200, fps: 5, hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, initialPayload(format));
  return {
    update: (done, payload) => bar.update(done, payload),
    stop: () => bar.stop(),
  };
}
