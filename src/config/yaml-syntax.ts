import { CST, Lexer } from 'yaml';

/** Where a YAML syntax error should be shown, and what opened there when it is an unclosed construct. */
export interface SyntaxErrorPlace {
  offset: number;
  /** `a quote` or `a [` / `a {`: what was opened at `offset` and never closed; absent when the error is where it was found. */
  opened?: string;
}

/** Markers the lexer puts in its token stream that take no room in the text. */
const zeroWidth = new Set(['\u0002', '\u0018', '\u001f']);

/**
 * The place to report a syntax error found at `errorOffset`: the opening of the quoted value or flow
 * collection the error lies in (a quote opened on line 2 and never closed is reported at line 2, not where
 * the parser gave up), else the error's own offset.
 */
export function syntaxErrorOffset(text: string, errorOffset: number): SyntaxErrorPlace {
  const openFlows: Array<{ offset: number; source: string }> = [];
  let offset = 0;
  for (const source of new Lexer().lex(text)) {
    if (zeroWidth.has(source)) continue;
    const start = offset;
    offset += source.length;
    if (start > errorOffset) break;
    const type = CST.tokenType(source);
    if ((type === 'double-quoted-scalar' || type === 'single-quoted-scalar') && offset >= errorOffset && !closedQuote(source)) {
      return { offset: start, opened: 'a quote' };
    }
    if (type === 'flow-seq-start' || type === 'flow-map-start') openFlows.push({ offset: start, source });
    else if (type === 'flow-seq-end' || type === 'flow-map-end') openFlows.pop();
  }
  const innermost = openFlows.at(-1);
  return innermost ? { offset: innermost.offset, opened: `a ${innermost.source}` } : { offset: errorOffset };
}

function closedQuote(source: string): boolean {
  const quote = source[0]!;
  if (source.length < 2 || !source.endsWith(quote)) return false;
  if (quote === "'") return /^'(?:[^']|'')*'$/.test(source);
  let backslashes = 0;
  for (let i = source.length - 2; i > 0 && source[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}
