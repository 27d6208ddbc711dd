// The modifier chain of a detection item (`field|mod1|mod2`): parsed and checked once, so that a
// combination the engine cannot honour is refused at load rather than half-applied. String
// transformations (windash, base64, base64offset, contains, startswith, endswith) apply in the
// order the rule wrote them, as the specification says; the others set what kind of value it is.

import { SigmaError } from './errors.js';
import { DASH, MANY, type Token } from './pattern.js';

const TRANSFORMS = ['windash', 'base64', 'base64offset', 'contains', 'startswith', 'endswith'] as const;
const ANCHORS: readonly Transform[] = ['contains', 'startswith', 'endswith'];
const KINDS = ['re', 'cidr', 'exists', 'fieldref', 'lt', 'lte', 'gt', 'gte'] as const;

export type Transform = (typeof TRANSFORMS)[number];
/** What the item's values are: `plain` values are strings, numbers and booleans as Sigma reads them. */
export type ValueKind = 'plain' | (typeof KINDS)[number];

export interface Modifiers {
  kind: ValueKind;
  /** `all`: every value must match, not any one. */
  all: boolean;
  /** `neq`: the item matches when the field does not. */
  negate: boolean;
  /** Case-sensitive: `cased`, or implied by base64, whose text is case-significant. */
  cased: boolean;
  transforms: Transform[];
  /** Flags of an `re` value: i, m, s. */
  regexFlags: string;
}

const REGEX_FLAGS = new Map([
  ['i', 'i'],
  ['ignorecase', 'i'],
  ['m', 'm'],
  ['multiline', 'm'],
  ['s', 's'],
  ['dotall', 's'],
]);

const UTF16 = 'UTF-16 encodings are not supported: events arrive as JSON text';
const TIME_PART = 'time-part modifiers (minute, hour, day, week, month, year) are not supported';
const REFUSED = new Map([
  ['expand', 'placeholders (expand) need a placeholder source, which Sentrail does not have'],
  ['wide', UTF16],
  ['utf16', UTF16],
  ['utf16le', UTF16],
  ['utf16be', UTF16],
  ...['minute', 'hour', 'day', 'week', 'month', 'year'].map((name): [string, string] => [name, TIME_PART]),
]);

/** Which transformations and `cased` each kind of value takes, beyond `all` and `neq`. */
const ACCEPTS: Record<ValueKind, { transforms: readonly Transform[]; cased: boolean }> = {
  plain: { transforms: TRANSFORMS, cased: true },
  fieldref: { transforms: ANCHORS, cased: true },
  re: { transforms: [], cased: false },
  cidr: { transforms: [], cased: false },
  exists: { transforms: [], cased: false },
  lt: { transforms: [], cased: false },
  lte: { transforms: [], cased: false },
  gt: { transforms: [], cased: false },
  gte: { transforms: [], cased: false },
};

export function parseModifiers(names: readonly string[]): Modifiers {
  const modifiers: Modifiers = {
    kind: 'plain',
    all: false,
    negate: false,
    cased: false,
    transforms: [],
    regexFlags: '',
  };
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new SigmaError(`modifier '${name}' is repeated`);
    seen.add(name);
    const flag = REGEX_FLAGS.get(name);
    if (name === 'all') modifiers.all = true;
    else if (name === 'neq') modifiers.negate = true;
    else if (name === 'cased') modifiers.cased = true;
    else if (isOneOf(TRANSFORMS, name)) modifiers.transforms.push(name);
    else if (isOneOf(KINDS, name)) {
      if (modifiers.kind !== 'plain') throw new SigmaError(`'${modifiers.kind}' cannot be combined with '${name}'`);
      modifiers.kind = name;
    } else if (flag !== undefined) {
      if (modifiers.kind !== 're') throw new SigmaError(`'${name}' is a flag of 're' and must follow it`);
      if (modifiers.regexFlags.includes(flag)) throw new SigmaError(`regular expression flag '${flag}' is repeated`);
      modifiers.regexFlags += flag;
    } else throw new SigmaError(REFUSED.get(name) ?? `unknown modifier '${name}'`);
  }
  const accepts = ACCEPTS[modifiers.kind];
  const extra = modifiers.transforms.find((transform) => !accepts.transforms.includes(transform));
  if (extra) throw new SigmaError(`'${modifiers.kind}' cannot be combined with '${extra}'`);
  if (modifiers.cased && !accepts.cased) throw new SigmaError(`'${modifiers.kind}' cannot be combined with 'cased'`);
  if (modifiers.kind === 'exists' && (modifiers.all || modifiers.negate)) {
    throw new SigmaError(`'exists' cannot be combined with '${modifiers.all ? 'all' : 'neq'}'`);
  }
  if (modifiers.transforms.includes('base64') || modifiers.transforms.includes('base64offset')) modifiers.cased = true;
  return modifiers;
}

export function isAnchor(transform: Transform): boolean {
  return ANCHORS.includes(transform);
}

/** The patterns a value's tokens become; base64offset turns one into three alternatives. */
export function applyTransforms(tokens: Token[], transforms: readonly Transform[]): Token[][] {
  let alternatives = [tokens];
  for (const transform of transforms) alternatives = alternatives.flatMap(TRANSFORM[transform]);
  return alternatives;
}

const TRANSFORM: Record<Transform, (tokens: Token[]) => Token[][]> = {
  contains: (tokens) => [withTrailing(withLeading(tokens))],
  startswith: (tokens) => [withTrailing(tokens)],
  endswith: (tokens) => [withLeading(tokens)],
  windash: (tokens) => [tokens.map((token, i) => (isWindash(tokens, i) ? DASH : token))],
  base64: (tokens) => [[...Buffer.from(plainText(tokens)).toString('base64')]],
  base64offset: (tokens) => base64Offsets(Buffer.from(plainText(tokens))).map((text) => [...text]),
};

function withLeading(tokens: Token[]): Token[] {
  return tokens[0] === MANY ? tokens : [MANY, ...tokens];
}

function withTrailing(tokens: Token[]): Token[] {
  return tokens[tokens.length - 1] === MANY ? tokens : [...tokens, MANY];
}

/** pySigma's rule, `\B[-/]\b`: a dash or slash that starts a word, as a command-line flag does. */
function isWindash(tokens: readonly Token[], i: number): boolean {
  const token = tokens[i];
  return (token === '-' || token === '/') && !isWordCharacter(tokens[i - 1]) && isWordCharacter(tokens[i + 1]);
}

function isWordCharacter(token: Token | undefined): boolean {
  return typeof token === 'string' && /^\w$/.test(token);
}

function plainText(tokens: readonly Token[]): string {
  if (!tokens.every((token) => typeof token === 'string')) {
    throw new SigmaError('base64 cannot encode wildcards or windash; escape a literal * or ? with \\');
  }
  return tokens.join('');
}

/**
 * The three encodings of `data` at byte offsets 0, 1 and 2 of an enclosing base64 string, each cut
 * to the characters that do not depend on the bytes around it (pySigma's base64offset).
 */
function base64Offsets(data: Buffer): string[] {
  const starts = [0, 2, 3];
  const ends = [undefined, -3, -2];
  return [0, 1, 2].map((shift) =>
    Buffer.concat([Buffer.alloc(shift, ' '), data])
      .toString('base64')
      .slice(starts[shift], ends[(data.length + shift) % 3]),
  );
}

function isOneOf<T extends string>(values: readonly T[], name: string): name is T {
  return (values as readonly string[]).includes(name);
}
