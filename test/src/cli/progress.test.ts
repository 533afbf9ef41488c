import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBar } from '../../../src/cli/progress.js';

/** A stream that says it is a terminal and keeps what is written to it. */
function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, text: () => text };
}

describe('progress bars', () => {
  const formats = [
    ' run 1 marl |{bar}| {value}/{total} evaluations | best {best} | {rate}/s | ETA {eta_formatted}',
    ' sweep |{bar}| {value}/{total} designs | {sims} simulations | ETA {eta_formatted}',
    ' compare |{bar}| {value}/{total} evaluations | {runs} runs | ETA {eta_formatted}',
  ];
  for (const format of formats) {
    it(`never show a placeholder, from the first frame on: ${format.split('|')[0].trim()}`, () => {
      const t = terminal();
      const bar = progressBar(100, format, t.stream);
      const first = t.text();
      bar.update(10, { best: '61,617.5 ns', rate: '12.0', sims: 4, runs: 2 });
      bar.stop();
      expect(first).toContain('0/100');
      expect(first).not.toMatch(/\{\w+\}/);
      expect(first).toContain('—');
      expect(t.text()).not.toMatch(/\{\w+\}/);
    });
  }

  it('are silent where the stream is not a terminal', () => {
    const t = terminal();
    Object.assign(t.stream, { isTTY: false });
    const bar = progressBar(100, formats[0], t.stream);
    bar.update(50, { best: 1, rate: 2 });
    bar.stop();
    expect(t.text()).toBe('');
  });
});
