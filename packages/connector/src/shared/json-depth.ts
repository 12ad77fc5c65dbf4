/**
 * Bounds on the nesting of untrusted JSON. V8's JSON.parse copes with deep nesting, but every recursive walk of the
 * result (canonicalisation, redaction) would overflow the stack: refuse such text before parsing it.
 */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of JSON text (arrays and objects), counted outside strings without parsing; stops past `limit`. */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > limit) return true;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return false;
}
