/**
 * The expression language of `when:` conditions: literals (numbers, 'strings' or "strings", true, false,
 * null), references (`${params.x}`, `${steps.id.outputs.name}`), comparisons (== != < <= > >=), `and`,
 * `or`, `not` and parentheses. Parsed into a tree and evaluated by walking it; nothing is ever run as code.
 */
export type Expression =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'reference'; path: string }
  | { kind: 'not'; operand: Expression }
  | { kind: 'and' | 'or'; left: Expression; right: Expression }
  | { kind: 'compare'; operator: CompareOperator; left: Expression; right: Expression };

export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A malformed expression: what is wrong, and at which character (0-based). */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

type Token =
  | { type: 'literal'; value: string | number | boolean | null; at: number }
  | { type: 'reference'; path: string; at: number }
  | { type: 'word'; word: 'and' | 'or' | 'not'; at: number }
  | { type: 'operator'; operator: CompareOperator; at: number }
  | { type: 'paren'; paren: '(' | ')'; at: number }
  | { type: 'end'; at: number };

const referencePattern = /^\$\{\s*([a-z]+(?:\.[A-Za-z0-9_-]+)+)\s*\}/;
const numberPattern = /^-?\d+(?:\.\d+)?/;
const wordPattern = /^[A-Za-z_][A-Za-z0-9_-]*/;
const operators: readonly CompareOperator[] = ['==', '!=', '<=', '>=', '<', '>'];
const maxLength = 1000;

function tokenize(text: string): Token[] {
  if (text.length > maxLength) throw new ExpressionError(`longer than ${maxLength} characters`, maxLength);
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const rest = text.slice(at);
    const char = text[at]!;
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    if (char === '(' || char === ')') {
      tokens.push({ type: 'paren', paren: char, at });
      at++;
      continue;
    }
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, at + 1);
      if (end < 0) throw new ExpressionError(`the string starting here is not closed with ${char}`, at);
      tokens.push({ type: 'literal', value: text.slice(at + 1, end), at });
      at = end + 1;
      continue;
    }
    if (char === '$') {
      const match = referencePattern.exec(rest);
      if (!match) throw new ExpressionError('expected a reference such as ${params.name} or ${steps.id.outputs.name}', at);
      tokens.push({ type: 'reference', path: match[1]!, at });
      at += match[0].length;
      continue;
    }
    const operator = operators.find((candidate) => rest.startsWith(candidate));
    if (operator) {
      tokens.push({ type: 'operator', operator, at });
      at += operator.length;
      continue;
    }
    const number = numberPattern.exec(rest);
    if (number) {
      tokens.push({ type: 'literal', value: Number(number[0]), at });
      at += number[0].length;
      continue;
    }
    const word = wordPattern.exec(rest);
    if (word) {
      tokens.push(wordToken(word[0], at));
      at += word[0].length;
      continue;
    }
    const hint = char === '&' || char === '|' || char === '!' ? ` (write and, or, not; != compares)` : char === '=' ? ' (compare with ==)' : '';
    throw new ExpressionError(`unexpected '${char}'${hint}`, at);
  }
  tokens.push({ type: 'end', at: text.length });
  return tokens;
}

function wordToken(word: string, at: number): Token {
  switch (word) {
    case 'true':
      return { type: 'literal', value: true, at };
    case 'false':
      return { type: 'literal', value: false, at };
    case 'null':
      return { type: 'literal', value: null, at };
    case 'and':
    case 'or':
    case 'not':
      return { type: 'word', word, at };
    default:
      throw new ExpressionError(`unknown word '${word}': quote text ('${word}'), write references as \${params.${word}} or \${steps.ID.outputs.${word}}`, at);
  }
}

/** Parses an expression; throws `ExpressionError` naming what is wrong and where. */
export function parseExpression(text: string): Expression {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (): Token => tokens[position]!;
  const next = (): Token => tokens[position++]!;

  const describe = (token: Token): string => (token.type === 'end' ? 'the end' : `'${text.slice(token.at, token.at + 12).split(/\s/)[0]}'`);

  const orExpression = (): Expression => {
    let left = andExpression();
    while (isWord(peek(), 'or')) {
      next();
      left = { kind: 'or', left, right: andExpression() };
    }
    return left;
  };
  const andExpression = (): Expression => {
    let left = notExpression();
    while (isWord(peek(), 'and')) {
      next();
      left = { kind: 'and', left, right: notExpression() };
    }
    return left;
  };
  const notExpression = (): Expression => {
    if (isWord(peek(), 'not')) {
      next();
      return { kind: 'not', operand: notExpression() };
    }
    return comparison();
  };
  const comparison = (): Expression => {
    const left = primary();
    const token = peek();
    if (token.type !== 'operator') return left;
    next();
    const right = primary();
    if (peek().type === 'operator') throw new ExpressionError('comparisons do not chain: join them with and', peek().at);
    return { kind: 'compare', operator: token.operator, left, right };
  };
  const primary = (): Expression => {
    const token = next();
    switch (token.type) {
      case 'literal':
        return { kind: 'literal', value: token.value };
      case 'reference':
        return { kind: 'reference', path: token.path };
      case 'paren': {
        if (token.paren === ')') throw new ExpressionError('unexpected )', token.at);
        const inner = orExpression();
        const close = next();
        if (close.type !== 'paren' || close.paren !== ')') throw new ExpressionError(`expected ) but found ${describe(close)}`, close.at);
        return inner;
      }
      default:
        throw new ExpressionError(`expected a value or a reference but found ${describe(token)}`, token.at);
    }
  };

  const expression = orExpression();
  const rest = peek();
  if (rest.type !== 'end') throw new ExpressionError(`unexpected ${describe(rest)} after a complete expression (join conditions with and / or)`, rest.at);
  return expression;
}

function isWord(token: Token, word: 'and' | 'or' | 'not'): boolean {
  return token.type === 'word' && token.word === word;
}

/** Every reference an expression makes, e.g. `steps.status.outputs.running`. */
export function expressionReferences(expression: Expression): string[] {
  switch (expression.kind) {
    case 'literal':
      return [];
    case 'reference':
      return [expression.path];
    case 'not':
      return expressionReferences(expression.operand);
    default:
      return [...expressionReferences(expression.left), ...expressionReferences(expression.right)];
  }
}

/** An expression that could be parsed but cannot be evaluated on these values (e.g. `'a' < 3`). */
export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
}

/** What `lookup` answers for a reference whose value is not known yet (an output of a step still to run). */
export const notKnownYet: unique symbol = Symbol('not known yet');

/**
 * Evaluates an expression; `lookup` answers each reference (undefined counts as null). When `lookup` answers
 * `notKnownYet`, the result is `notKnownYet` unless the known part decides it (`false and …`, `true or …`).
 */
export function evaluate(expression: Expression, lookup: (path: string) => unknown): unknown {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'reference':
      return lookup(expression.path) ?? null;
    case 'not': {
      const operand = evaluate(expression.operand, lookup);
      return operand === notKnownYet ? notKnownYet : !truthy(operand);
    }
    case 'and':
    case 'or': {
      const decisive = expression.kind === 'or';
      const left = evaluate(expression.left, lookup);
      if (left !== notKnownYet && truthy(left) === decisive) return decisive;
      const right = evaluate(expression.right, lookup);
      if (right !== notKnownYet && truthy(right) === decisive) return decisive;
      return left === notKnownYet || right === notKnownYet ? notKnownYet : !decisive;
    }
    case 'compare': {
      const left = evaluate(expression.left, lookup);
      const right = evaluate(expression.right, lookup);
      return left === notKnownYet || right === notKnownYet ? notKnownYet : compare(expression.operator, left, right);
    }
  }
}

function compare(operator: CompareOperator, left: unknown, right: unknown): boolean {
  if (operator === '==') return left === right;
  if (operator === '!=') return left !== right;
  const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) throw new EvaluationError(`cannot order ${shown(left)} and ${shown(right)} with ${operator}: both must be numbers, or both text`);
  const a = left as number | string;
  const b = right as number | string;
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function shown(value: unknown): string {
  if (typeof value === 'string') return `'${value.slice(0, 40)}'`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'a list' : 'an object';
}

/** Whether a value counts as true: false, null, 0, '' and an empty list are false, everything else true. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== false && value !== null && value !== undefined && value !== 0 && value !== '';
}
