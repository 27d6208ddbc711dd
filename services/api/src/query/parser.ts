// The analysts' query language, KQL-like, parsed into a tree that translate.ts turns into a
// restricted Elasticsearch query (no user text ever reaches Elasticsearch as DSL):
//
//   user.name:alice               the field's value (keyword fields: exact, case-sensitive)
//   user.name:"Alice Smith"       a quoted value: spaces and reserved characters kept, no wildcards
//   user.name:adm*  host.name:web-?1   wildcards (keyword and text fields), case-insensitive
//   alice  "access denied"        a bare value: searched in the default fields (fields.ts)
//   event.severity >= 10  @timestamp < 2026-11-28   ranges: < <= > >=
//   event.severity:[5 TO 10]  @timestamp:{2026-11-01 TO *}   [ ] inclusive, { } exclusive, * open
//   user.name:*                   the field exists
//   event.action:(StopLogging OR DeleteTrail)   a value list: the field's values with AND/OR/NOT
//                                 and ( ), every value of the list compared with that field
//   a AND b, a OR b, NOT a, a b (= a AND b), ( )   keywords in any case; NOT binds tighter than
//                                 AND, AND tighter than OR
//   \  escapes the next character: \: \* \? \( \" \\ ... ; a value holding ':' can also be quoted
//
// A value's field is everything before its first unescaped ':'. Reserved outside quotes:
// whitespace " ( ) [ ] { } < > and, in a value, * ? as wildcards. Every error gives the 0-based
// position of its fault, in the message ("... at 12") and as QueryError.position.
import { QueryError } from './bad-request.js';
import { tokenize, wordText, type Token, type WordCharacter } from './lexer.js';

export interface FieldName {
  name: string;
  position: number;
}

export interface Value {
  /** The value as meant, escapes resolved. */
  text: string;
  position: number;
  /** In Elasticsearch's wildcard syntax, when the value has an unescaped `*` or `?`. */
  wildcard?: string;
}

export interface Bound {
  value: Value;
  inclusive: boolean;
}

export type QueryNode =
  | { type: 'all' }
  | { type: 'and' | 'or'; operands: QueryNode[] }
  | { type: 'not'; operand: QueryNode }
  /** `field` absent: a bare value, searched in the default fields. */
  | { type: 'term'; field?: FieldName; value: Value }
  | { type: 'exists'; field: FieldName }
  | { type: 'range'; field: FieldName; lower?: Bound; upper?: Bound };

export const QUERY_LIMITS = {
  /** UTF-8 bytes of the query text. */
  bytes: 4096,
  /** Parentheses and NOTs inside one another. */
  depth: 10,
  /** Values compared, ranges and exists tests: each becomes a query of its own in Elasticsearch. */
  clauses: 64,
  /** A keyword longer than this is never indexed (ignore_above), so could never match. */
  valueLength: 1024,
  /** Longer wildcard patterns can make Elasticsearch refuse the query as too complex. */
  wildcardLength: 256,
} as const;

export function parseQuery(text: string): QueryNode {
  checkLength(text);
  return new Parser(tokenize(text)).parse();
}

function checkLength(text: string): void {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    bytes += Buffer.byteLength(text[i]!);
    if (bytes > QUERY_LIMITS.bytes)
      throw new QueryError(`the query is longer than ${QUERY_LIMITS.bytes} bytes at ${i}`, i);
  }
}

const KEYWORDS = ['and', 'or', 'not'] as const;
type Keyword = (typeof KEYWORDS)[number];

class Parser {
  private index = 0;
  private depth = 0;
  private clauses = 0;
  /** Inside `field:( … )`: the field each value there is compared with. */
  private listField: FieldName | undefined;

  constructor(private readonly tokens: Token[]) {}

  parse(): QueryNode {
    if (this.peek().kind === 'end') return { type: 'all' };
    const node = this.or();
    const extra = this.peek();
    if (extra.kind !== 'end') throw unexpected(extra);
    return node;
  }

  private or(): QueryNode {
    const operands = [this.and()];
    while (this.keyword() === 'or') {
      this.index++;
      operands.push(this.and());
    }
    return operands.length === 1 ? operands[0]! : { type: 'or', operands };
  }

  /** Terms side by side are ANDed as if the AND were written. */
  private and(): QueryNode {
    const operands = [this.unary()];
    for (;;) {
      const keyword = this.keyword();
      if (keyword === 'and') this.index++;
      else if (keyword === 'or' || !this.startsTerm(this.peek())) break;
      operands.push(this.unary());
    }
    return operands.length === 1 ? operands[0]! : { type: 'and', operands };
  }

  private unary(): QueryNode {
    if (this.keyword() !== 'not') return this.primary();
    const not = this.next();
    return this.nested(not, () => ({ type: 'not', operand: this.unary() }));
  }

  private primary(): QueryNode {
    const token = this.peek();
    if (token.kind === '(') {
      this.index++;
      return this.nested(token, () => {
        const node = this.or();
        const close = this.peek();
        if (close.kind === 'end') throw new QueryError(`unclosed '(' at ${token.position}`, token.position);
        if (close.kind !== ')') throw unexpected(close);
        this.index++;
        return node;
      });
    }
    if (token.kind === 'phrase') {
      this.index++;
      const value = { text: token.text, position: token.position };
      const field = this.listField;
      return this.clause(field ? { type: 'term', field, value } : { type: 'term', value }, token.position);
    }
    if (token.kind !== 'word' || this.keyword() !== undefined) throw this.expectedTerm(token);
    this.index++;
    if (this.listField === undefined) return this.wordClause(token.characters, token.position);
    // In a value list the whole word is a value, colons included, as after `field:`.
    const field = this.listField;
    const node: QueryNode = isLoneStar(token.characters)
      ? { type: 'exists', field }
      : { type: 'term', field, value: wordValue(token.characters, token.position) };
    return this.clause(node, token.position);
  }

  /** `field:( … )`: the parenthesised expression with its values compared with `field`. */
  private valueList(field: FieldName): QueryNode {
    this.listField = field;
    try {
      return this.primary();
    } finally {
      this.listField = undefined;
    }
  }

  /** `field:value`, `field:[a TO b]`, `field:*`, `field >= value` or a bare value. */
  private wordClause(characters: WordCharacter[], position: number): QueryNode {
    const colon = characters.findIndex(({ character, escaped }) => character === ':' && !escaped);
    if (colon === -1) {
      const comparator = this.peek();
      if (comparator.kind === 'comparator') {
        this.index++;
        const field = { name: wordText(characters), position };
        const value = this.value(`'${field.name} ${comparator.comparator}'`);
        if (value === 'open') {
          const star = this.tokens[this.index - 1]!.position;
          throw new QueryError(`'*' at ${star} is not a range bound; write field:* to test that a field exists`, star);
        }
        const inclusive = comparator.comparator.endsWith('=');
        const bound = { value: rangeValue(value), inclusive };
        return this.clause(
          comparator.comparator.startsWith('>')
            ? { type: 'range', field, lower: bound }
            : { type: 'range', field, upper: bound },
          position,
        );
      }
      if (isLoneStar(characters)) return this.clause({ type: 'all' }, position);
      return this.clause({ type: 'term', value: wordValue(characters, position) }, position);
    }
    if (colon === 0) throw new QueryError(`expected a field name before ':' at ${position}`, position);
    const field = { name: wordText(characters.slice(0, colon)), position };
    const rest = characters.slice(colon + 1);
    if (rest.length > 0) {
      if (isLoneStar(rest)) return this.clause({ type: 'exists', field }, position);
      return this.clause({ type: 'term', field, value: wordValue(rest, rest[0]!.position) }, position);
    }
    const next = this.peek();
    if (next.kind === '[' || next.kind === '{') return this.bracketRange(field, next.kind);
    if (next.kind === '(') return this.valueList(field);
    const value = this.value(`'${field.name}:'`);
    return this.clause(value === 'open' ? { type: 'exists', field } : { type: 'term', field, value }, position);
  }

  /** `[a TO b]`, `{a TO b}` or mixed; `*` leaves a side open. */
  private bracketRange(field: FieldName, open: '[' | '{'): QueryNode {
    const start = this.next();
    const lower = this.value(`'${open}'`);
    const to = this.peek();
    if (!isTo(to))
      throw to.kind === 'end'
        ? new QueryError(`unclosed '${open}' at ${start.position}`, start.position)
        : new QueryError(`expected 'TO' at ${to.position}`, to.position);
    this.index++;
    const upper = this.value(`'TO'`);
    const close = this.next();
    if (close.kind === 'end') throw new QueryError(`unclosed '${open}' at ${start.position}`, start.position);
    if (close.kind !== ']' && close.kind !== '}')
      throw new QueryError(`expected ']' or '}' at ${close.position}`, close.position);
    const node: QueryNode = { type: 'range', field };
    if (lower !== 'open') node.lower = { value: rangeValue(lower), inclusive: open === '[' };
    if (upper !== 'open') node.upper = { value: rangeValue(upper), inclusive: close.kind === ']' };
    return this.clause(node.lower || node.upper ? node : { type: 'exists', field }, field.position);
  }

  /** The value after `field:`, a comparator or in brackets; `open` for a lone unescaped `*`. */
  private value(after: string): Value | 'open' {
    const token = this.peek();
    if (token.kind === 'phrase') {
      this.index++;
      return { text: token.text, position: token.position };
    }
    const word = token.kind === 'word' && this.keyword() === undefined ? token.characters : undefined;
    if (!word || isTo(token))
      throw new QueryError(`expected a value after ${after} at ${token.position}`, token.position);
    this.index++;
    if (isLoneStar(word)) return 'open';
    return wordValue(word, token.position);
  }

  /** Counts the clause, which starts at `position`. */
  private clause(node: QueryNode, position: number): QueryNode {
    if (++this.clauses > QUERY_LIMITS.clauses) {
      throw new QueryError(`the query has more than ${QUERY_LIMITS.clauses} clauses at ${position}`, position);
    }
    return node;
  }

  private nested(token: Token, parse: () => QueryNode): QueryNode {
    if (++this.depth > QUERY_LIMITS.depth)
      throw new QueryError(
        `the query nests deeper than ${QUERY_LIMITS.depth} levels at ${token.position}`,
        token.position,
      );
    const node = parse();
    this.depth--;
    return node;
  }

  private startsTerm(token: Token): boolean {
    return token.kind === 'word' || token.kind === 'phrase' || token.kind === '(';
  }

  private expectedTerm(token: Token): QueryError {
    if (token.kind !== 'end') return unexpected(token);
    const previous = this.tokens[this.index - 1];
    const after = previous ? ` after '${tokenText(previous)}'` : '';
    return new QueryError(`expected a term${after} at ${token.position}`, token.position);
  }

  /** The keyword the next token is, if it is one: a bare word, any case, nothing escaped. */
  private keyword(): Keyword | undefined {
    const token = this.peek();
    if (token.kind !== 'word' || token.characters.some((c) => c.escaped)) return undefined;
    const text = wordText(token.characters).toLowerCase();
    return KEYWORDS.find((keyword) => keyword === text);
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }
}

/** `*` alone: every event, a field that exists, or an open range bound, by where it stands. */
function isLoneStar(characters: readonly WordCharacter[]): boolean {
  return characters.length === 1 && characters[0]!.character === '*' && !characters[0]!.escaped;
}

/** The TO of a bracket range, in any case; written escaped, it is a value. */
function isTo(token: Token): boolean {
  return (
    token.kind === 'word' &&
    wordText(token.characters).toLowerCase() === 'to' &&
    !token.characters.some((c) => c.escaped)
  );
}

function wordValue(characters: WordCharacter[], position: number): Value {
  const text = wordText(characters);
  if (text.length > QUERY_LIMITS.valueLength)
    throw new QueryError(`the value at ${position} is longer than ${QUERY_LIMITS.valueLength} characters`, position);
  const isWildcard = ({ character, escaped }: WordCharacter) => !escaped && (character === '*' || character === '?');
  if (!characters.some(isWildcard)) return { text, position };
  if (text.length > QUERY_LIMITS.wildcardLength)
    throw new QueryError(
      `the wildcard value at ${position} is longer than ${QUERY_LIMITS.wildcardLength} characters`,
      position,
    );
  const wildcard = characters.map((c) => (isWildcard(c) ? c.character : c.character.replace(/[*?\\]/, '\\$&')));
  return { text, position, wildcard: wildcard.join('') };
}

function rangeValue(value: Value): Value {
  if (value.wildcard !== undefined)
    throw new QueryError(`a range bound cannot hold a wildcard: '${value.text}' at ${value.position}`, value.position);
  return value;
}

function tokenText(token: Token): string {
  switch (token.kind) {
    case 'word':
      return wordText(token.characters);
    case 'phrase':
      return `"${token.text}"`;
    case 'comparator':
      return token.comparator;
    case 'end':
      return 'the end';
    default:
      return token.kind;
  }
}

function unexpected(token: Token): QueryError {
  return new QueryError(`unexpected '${tokenText(token)}' at ${token.position}`, token.position);
}
