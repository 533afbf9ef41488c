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
