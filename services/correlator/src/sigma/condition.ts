// The condition language of Sigma detection rules: search identifiers joined by `and`, `or`,
// `not` and parentheses, and `1 of` / `all of` a wildcard pattern of identifiers or `them`.
// Precedence, loosest first: or, and, not, x of, ( ). Errors give the 1-based column.

import { SigmaError } from './errors.js';

export type ConditionNode =
  | { type: 'and' | 'or'; operands: ConditionNode[] }
  | { type: 'not'; operand: ConditionNode }
  | { type: 'identifier'; name: string }
  /** `pattern` absent: `them`, every identifier not starting with `_`. */
  | { type: 'of'; quantifier: 'one' | 'all'; pattern?: string };

interface Token {
  text: string;
  column: number;
}

const WORD = /[A-Za-z0-9_*-]+/y;
const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all']);

export function parseCondition(condition: string): ConditionNode {
  return new Parser(tokenize(condition)).parse();
}

function tokenize(condition: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < condition.length) {
    const character = condition[i]!;
    const column = i + 1;
    if (/\s/.test(character)) {
      i++;
    } else if (character === '(' || character === ')') {
      tokens.push({ text: character, column });
      i++;
    } else if (character === '|') {
      throw new SigmaError(
        `'|' at column ${column}: aggregations and near (Sigma v1) are not supported; write a correlation rule`,
      );
    } else {
      WORD.lastIndex = i;
      const word = WORD.exec(condition)?.[0];
      if (word === undefined) throw new SigmaError(`unexpected character '${character}' at column ${column}`);
      tokens.push({ text: word, column });
      i += word.length;
    }
  }
  return tokens;
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): ConditionNode {
    const node = this.or();
    const extra = this.tokens[this.position];
    if (extra) throw new SigmaError(`unexpected '${extra.text}' at column ${extra.column}`);
    return node;
  }

  private or(): ConditionNode {
    return this.sequence('or', () => this.and());
  }

  private and(): ConditionNode {
    return this.sequence('and', () => this.unary());
  }

  private sequence(operator: 'and' | 'or', operand: () => ConditionNode): ConditionNode {
    const operands = [operand()];
    while (this.peekKeyword() === operator) {
      this.position++;
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0]! : { type: operator, operands };
  }

  private unary(): ConditionNode {
    if (this.peekKeyword() === 'not') {
      this.position++;
      return { type: 'not', operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): ConditionNode {
    const token = this.next('a search identifier, "(", "not", "1 of" or "all of"');
    const word = token.text.toLowerCase();
    if (token.text === '(') {
      const node = this.or();
      this.expect(')');
      return node;
    }
    if (this.peekKeyword() === 'of') {
      this.position++;
      return this.of(token);
    }
    if (token.text === ')' || KEYWORDS.has(word)) {
      throw new SigmaError(`expected a search identifier, "(", "not", "1 of" or "all of" at column ${token.column}`);
    }
    if (token.text.includes('*')) {
      throw new SigmaError(`the pattern '${token.text}' at column ${token.column} needs "1 of" or "all of"`);
    }
    return { type: 'identifier', name: token.text };
  }

  private of(quantifier: Token): ConditionNode {
    const word = quantifier.text.toLowerCase();
    if (word !== '1' && word !== 'all') {
      throw new SigmaError(
        `'${quantifier.text} of' at column ${quantifier.column}: only "1 of" and "all of" are Sigma`,
      );
    }
    const target = this.next('a search identifier pattern or "them"');
    const targetWord = target.text.toLowerCase();
    if (target.text === '(' || target.text === ')' || (KEYWORDS.has(targetWord) && targetWord !== 'them')) {
      throw new SigmaError(`expected a search identifier pattern or "them" at column ${target.column}`);
    }
    const node: ConditionNode = { type: 'of', quantifier: word === '1' ? 'one' : 'all' };
    return targetWord === 'them' ? node : { ...node, pattern: target.text };
  }

  private peekKeyword(): string | undefined {
    return this.tokens[this.position]?.text.toLowerCase();
  }

  private next(expected: string): Token {
    const token = this.tokens[this.position++];
    if (!token) throw new SigmaError(`expected ${expected} but the condition ended`);
    return token;
  }

  private expect(text: string): void {
    const token = this.next(`"${text}"`);
    if (token.text !== text)
      throw new SigmaError(`expected "${text}" at column ${token.column}, found '${token.text}'`);
  }
}
