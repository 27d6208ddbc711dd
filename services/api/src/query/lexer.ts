// The tokens of the query language (see parser.ts for the grammar). A backslash escapes the
// character after it, inside and outside quotes; a word keeps which of its characters were escaped,
// since an escaped `:` does not end a field name and an escaped `*` or `?` is not a wildcard.
import { QueryError } from './bad-request.js';

export interface WordCharacter {
  character: string;
  escaped: boolean;
  /** Where it is in the query text, 0-based. */
  position: number;
}

export type Comparator = '<' | '<=' | '>' | '>=';
export type Bracket = '(' | ')' | '[' | ']' | '{' | '}';

export type Token =
  | { kind: 'word'; characters: WordCharacter[]; position: number }
  | { kind: 'phrase'; text: string; position: number }
  | { kind: 'comparator'; comparator: Comparator; position: number }
  | { kind: Bracket; position: number }
  | { kind: 'end'; position: number };

const BRACKETS = new Set('()[]{}');
/** What ends a word unless escaped. */
const WORD_END = /[\s"()[\]{}<>]/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const character = text[i]!;
    if (/\s/.test(character)) {
      i++;
    } else if (character === '"') {
      const { phrase, next } = readPhrase(text, i);
      tokens.push({ kind: 'phrase', text: phrase, position: i });
      i = next;
    } else if (BRACKETS.has(character)) {
      tokens.push({ kind: character as Bracket, position: i });
      i++;
    } else if (character === '<' || character === '>') {
      const comparator: Comparator = text[i + 1] === '=' ? `${character}=` : character;
      tokens.push({ kind: 'comparator', comparator, position: i });
      i += comparator.length;
    } else {
      const characters: WordCharacter[] = [];
      const position = i;
      while (i < text.length && !WORD_END.test(text[i]!)) {
        const escaped = text[i] === '\\';
        if (escaped) i++;
        if (i >= text.length) throw new QueryError(`a backslash at ${i - 1} escapes nothing`, i - 1);
        characters.push({ character: text[i]!, escaped, position: i });
        i++;
      }
      tokens.push({ kind: 'word', characters, position });
    }
  }
  tokens.push({ kind: 'end', position: text.length });
  return tokens;
}

function readPhrase(text: string, start: number): { phrase: string; next: number } {
  let phrase = '';
  for (let i = start + 1; i < text.length; i++) {
    const character = text[i]!;
    if (character === '"') return { phrase, next: i + 1 };
    if (character === '\\') {
      i++;
      if (i >= text.length) break;
    }
    phrase += text[i]!;
  }
  throw new QueryError(`unclosed quote starting at ${start}`, start);
}

/** A word as written, escapes left out: for messages. */
export function wordText(characters: readonly WordCharacter[]): string {
  return characters.map(({ character }) => character).join('');
}
