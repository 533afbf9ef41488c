/** Byte-level helpers the line parsers of every trace format share. */

export const TAB = 9, SPACE = 32, HASH = 35;

/** A space or a tab: the separators of every trace format. */
export function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** The value of a hexadecimal digit, either case; −1 for any other byte. */
export function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** An ASCII letter in lower case; any other byte unchanged. */
export function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}
