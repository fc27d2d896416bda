/**
 * Raw JSON text handling. The protocol promises that `data` arrives as an
 * equal JSON value with the same key order; a JSON.parse/stringify round trip
 * breaks that (integer-like keys move first, big numbers lose digits), so the
 * service relays the sender's own text, compacted. Inputs here have already
 * passed JSON.parse, so the scanners can assume well-formed JSON.
 */

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string literal that starts at `i` (a quote). */
function skipString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return i;
}

/** Index just past the JSON value that starts at `i`. */
function skipValue(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === 0x22) return skipString(text, i);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i = skipString(text, i);
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2c || c === 0x7d || c === 0x5d || isSpace(c)) return i;
    i++;
  }
  return i;
}

/**
 * The text of member `key` of the top-level object in `text`, or undefined.
 * Like JSON.parse, the last of duplicate keys wins.
 */
export function memberText(text: string, key: string): string | undefined {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x7b) return undefined;
  i++;
  let found: string | undefined;
  for (;;) {
    i = skipSpace(text, i);
    if (i >= text.length || text.charCodeAt(i) === 0x7d) return found;
    const keyEnd = skipString(text, i);
    const name: unknown = JSON.parse(text.slice(i, keyEnd));
    i = skipSpace(text, keyEnd) + 1; // past the colon
    i = skipSpace(text, i);
    const valueEnd = skipValue(text, i);
    if (name === key) found = text.slice(i, valueEnd);
    i = skipSpace(text, valueEnd);
    if (text.charCodeAt(i) === 0x2c) i++;
  }
}

/** `text` without the whitespace between tokens. */
export function compactJson(text: string): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = skipString(text, i);
    } else if (isSpace(c)) {
      out += text.slice(start, i);
      i = skipSpace(text, i);
      start = i;
    } else {
      i++;
    }
  }
  return out + text.slice(start);
}
