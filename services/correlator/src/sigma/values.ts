// Tests of one field value against one rule value, by the kind of rule value: a string pattern, a
// number, a numeric comparison, a regular expression or a CIDR network. Values that cannot be of
// the kind (an object where a string is wanted, a word where a number is) never match.

import { BlockList, isIP } from 'node:net';
import { SigmaError } from './errors.js';
import type { StringTest } from './pattern.js';

export type ValueTest = (value: unknown) => boolean;

export type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

const COMPARE: Record<Comparison, (value: number, bound: number) => boolean> = {
  eq: (value, bound) => value === bound,
  lt: (value, bound) => value < bound,
  lte: (value, bound) => value <= bound,
  gt: (value, bound) => value > bound,
  gte: (value, bound) => value >= bound,
};

// Escapes JavaScript would read as a plain letter where PCRE, Sigma's flavour, means something
// (\A, \Z, \h, \Q…): refused rather than silently matching the letter.
const JS_ESCAPED_LETTERS = new Set('bBdDsSwWnrtfvcxu');

/** A field value as text, as string patterns see it: numbers and booleans in their usual form. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function textTest(test: StringTest): ValueTest {
  return (value) => {
    if (typeof value === 'string') return test(value);
    const text = textOf(value);
    return text !== undefined && test(text);
  };
}

/** Numbers compare as numbers, and a numeric string in the event counts as its number. */
export function numberTest(comparison: Comparison, bound: number): ValueTest {
  const compare = COMPARE[comparison];
  return (value) => {
    if (typeof value === 'number') return compare(value, bound);
    return typeof value === 'string' && value.trim() !== '' && compare(Number(value), bound);
  };
}

export function regexTest(source: string, flags: string): ValueTest {
  for (const [, escaped = ''] of source.matchAll(/\\([\s\S])/g)) {
    if (/[A-Za-z]/.test(escaped) && !JS_ESCAPED_LETTERS.has(escaped)) {
      throw new SigmaError(`regular expression '${source}': the escape \\${escaped} is not supported`);
    }
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (error) {
    throw new SigmaError(`invalid regular expression '${source}': ${(error as Error).message}`);
  }
  return textTest((text) => regex.test(text));
}

/** A CIDR network (IPv4 or IPv6), or a single address; the event's value must be an address in it. */
export function cidrTest(cidr: string): ValueTest {
  const [address = '', prefix, ...rest] = cidr.split('/');
  const version = isIP(address);
  const bits = version === 4 ? 32 : 128;
  const length = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (version === 0 || rest.length > 0 || !(length <= bits)) throw new SigmaError(`'${cidr}' is not a CIDR network`);
  const network = new BlockList();
  network.addSubnet(address, length, version === 4 ? 'ipv4' : 'ipv6');
  // BlockList.check builds a SocketAddress on every call; addresses repeat, so answers are remembered.
  const answers = new Map<string, boolean>();
  return (value) => {
    if (typeof value !== 'string') return false;
    let inside = answers.get(value);
    if (inside === undefined) {
      const family = isIP(value);
      inside = family !== 0 && network.check(value, family === 4 ? 'ipv4' : 'ipv6');
      if (answers.size >= CIDR_ANSWERS) answers.clear();
      answers.set(value, inside);
    }
    return inside;
  };
}

/** Addresses remembered per CIDR test: the busy sources of a day, in bounded memory. */
const CIDR_ANSWERS = 4096;
