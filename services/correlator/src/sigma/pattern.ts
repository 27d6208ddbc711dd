// A Sigma string value: plain characters and the `*` and `?` wildcards, with `\` escaping a
// wildcard or a backslash (Sigma specification, "Escaping"). Parsed into tokens once, then compiled
// into the cheapest test that implements it: equality, a prefix, a suffix or a substring when it
// can, an anchored regular expression otherwise.

/** `*`: any run of characters, none included. */
export const MANY = Symbol('*');
/** `?`: exactly one character. */
export const ONE = Symbol('?');
/** A `-` or `/` the windash modifier made interchangeable with the other and with the Unicode dashes. */
export const DASH = Symbol('windash');

/** One character of a Sigma string, or one of its wildcards; an escaped `*` is the plain character. */
export type Token = string | typeof MANY | typeof ONE | typeof DASH;

export type StringTest = (text: string) => boolean;

const ESCAPABLE = new Set(['*', '?', '\\']);
const DASHES = '[-/\u2013\u2014\u2015]';

/** Tokens of a Sigma string: `\*`, `\?` and `\\` escape; any other backslash is a plain one. */
export function parseSigmaString(value: string): Token[] {
  const tokens: Token[] = [];
  const characters = [...value];
  for (let i = 0; i < characters.length; i++) {
    const character = characters[i]!;
    const next = characters[i + 1];
    if (character === '\\' && next !== undefined && ESCAPABLE.has(next)) {
      tokens.push(next);
      i++;
    } else if (character === '*') tokens.push(MANY);
    else if (character === '?') tokens.push(ONE);
    else tokens.push(character);
  }
  return tokens;
}

/** A test of a whole string against the pattern; case-insensitive (Sigma's default) unless cased. */
export function compilePattern(tokens: readonly Token[], cased: boolean): StringTest {
  let end = tokens.length;
  while (end > 0 && tokens[end - 1] === MANY) end--;
  let start = 0;
  while (start < end && tokens[start] === MANY) start++;
  const leading = start > 0;
  const trailing = end < tokens.length;
  const middle = tokens.slice(start, end);
  if (!middle.every((token) => typeof token === 'string')) return regexTest(middle, leading, trailing, cased);
  const literal = middle.join('');
  if (leading && trailing) return cased ? (text) => text.includes(literal) : regexTest(middle, true, true, false);
  if (cased) {
    if (leading) return (text) => text.endsWith(literal);
    if (trailing) return (text) => text.startsWith(literal);
    return (text) => text === literal;
  }
  const lower = literal.toLowerCase();
  if (leading) return (text) => text.length >= lower.length && foldedEquals(text, text.length - lower.length, lower);
  if (trailing) return (text) => text.length >= lower.length && foldedEquals(text, 0, lower);
  return (text) => text.length === lower.length && foldedEquals(text, 0, lower);
}

/**
 * Whether `text` from `offset` equals `lower` (lower-cased) ignoring case, without allocating:
 * ASCII letters fold by bit, and only a non-ASCII character falls back to toLowerCase.
 */
function foldedEquals(text: string, offset: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let code = text.charCodeAt(offset + i);
    if (code > 127) return text.slice(offset, offset + lower.length).toLowerCase() === lower;
    if (code >= 65 && code <= 90) code |= 32;
    if (code !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Leading and trailing `*` leave the regex unanchored on that side rather than matching `.*`. */
function regexTest(middle: readonly Token[], leading: boolean, trailing: boolean, cased: boolean): StringTest {
  const body = middle.map(tokenSource).join('');
  const regex = new RegExp(`${leading ? '' : '^'}${body}${trailing ? '' : '$'}`, cased ? 'su' : 'siu');
  return (text) => regex.test(text);
}

function tokenSource(token: Token): string {
  if (token === MANY) return '.*';
  if (token === ONE) return '.';
  if (token === DASH) return DASHES;
  return token.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
