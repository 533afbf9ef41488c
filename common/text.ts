/** Text from outside (file names, values, messages of other libraries) made safe to print as one line. */

/** Messages longer than this keep their start and end (where the name and the reason are). */
export const MAX_MESSAGE_CHARS = 2000;

/**
 * `text` on one line: control characters (line breaks, escape sequences that would drive the
 * terminal) written as `\n`, `\x1b`, `\u2028`…, and the middle of an overlong text left out.
 */
export function oneLine(text: string, max = MAX_MESSAGE_CHARS): string {
  let out = text;
  if (out.length > max) {
    const keep = Math.floor((max - 40) / 2);
    out = `${out.slice(0, keep)}…(${(out.length - 2 * keep).toLocaleString('en-US')} characters left out)…${out.slice(out.length - keep)}`;
  }
  // C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
  return out.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** Edit distance (insertions, deletions, substitutions) between two strings. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The known name a mistyped `name` most likely meant, ignoring case: one that contains it or that
 * it contains (`populationSize` → `population`; both at least 4 letters), else the nearest by edit
 * distance when at most a third of its letters (at least 2) differ; null when none is that close.
 */
export function closestName(name: string, known: readonly string[]): string | null {
  const n = name.toLowerCase();
  const nested = (l: string): boolean => Math.min(n.length, l.length) >= 4 && (n.includes(l) || l.includes(n));
  let best: string | null = null;
  let bestScore = Infinity;
  for (const k of known) {
    const l = k.toLowerCase();
    const d = editDistance(n, l);
    const close = nested(l) || d <= Math.max(2, Math.floor(n.length / 3));
    // Of the close names, one holding the other whole wins over a typo at the same distance.
    const score = d - (nested(l) ? 0.5 : 0);
    if (close && score < bestScore) [best, bestScore] = [k, score];
  }
  return best;
}
