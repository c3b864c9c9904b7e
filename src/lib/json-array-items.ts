/**
 * The text of each item of a JSON array, as sent: so a body already parsed can store its items' originals
 * without serializing each again (for an xAPI batch that is most of the cost of keeping them). One linear pass.
 */

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  COMMA = 0x2c;
const OPEN_OBJECT = 0x7b,
  CLOSE_OBJECT = 0x7d,
  OPEN_ARRAY = 0x5b,
  CLOSE_ARRAY = 0x5d;

/**
 * `text` must be JSON that JSON.parse accepted. Returns the items' texts (trimmed) when it is an array, or null
 * when it is not one.
 */
export function jsonArrayItems(text: string): string[] | null {
  let start = 0;
  while (start < text.length && isSpace(text.charCodeAt(start))) start++;
  return text.charCodeAt(start) === OPEN_ARRAY ? itemsFrom(text, start) : null;
}

/**
 * The items' texts of the array under `key` of a top-level object (`{"batch": [...]}`), or null when there is
 * no such array. When the key repeats, the last one counts, as in JSON.parse.
 */
export function jsonArrayItemsAt(text: string, key: string): string[] | null {
  let start = 0;
  while (start < text.length && isSpace(text.charCodeAt(start))) start++;
  if (text.charCodeAt(start) !== OPEN_OBJECT) return null;
  const wanted = JSON.stringify(key);
  let found: number | null = null;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(text, i + 1);
      if (depth === 1 && text.slice(i, end + 1) === wanted) {
        let j = end + 1;
        while (j < text.length && (isSpace(text.charCodeAt(j)) || text.charCodeAt(j) === 0x3a)) j++;
        if (text.charCodeAt(j) === OPEN_ARRAY) found = j;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) break;
    }
  }
  return found === null ? null : itemsFrom(text, found);
}

/** The items of the array whose "[" is at `start`. */
function itemsFrom(text: string, start: number): string[] | null {
  const items: string[] = [];
  let depth = 0;
  let itemStart = start + 1;
  // Outside strings, character by character (few characters are); a string is skipped whole by finding its
  // closing quote: a loop over every character would cost more than serializing the items again.
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i + 1);
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) {
        const last = text.slice(itemStart, i).trim();
        if (last.length > 0) items.push(last);
        return items;
      }
    } else if (c === COMMA && depth === 1) {
      items.push(text.slice(itemStart, i).trim());
      itemStart = i + 1;
    }
  }
  return null;
}

/** The index of the quote that closes the string whose text starts at `from` (one preceded by an even run of backslashes). */
function closingQuote(text: string, from: number): number {
  let at = text.indexOf('"', from);
  while (at !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return text.length;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
