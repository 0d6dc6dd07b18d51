import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { tokenize } from '../../src/router/tokenize.js';

describe('tokenize', () => {
  it('splits on any run of white space', () => {
    expect(tokenize('  vacuum   orders\t--full ')).toEqual(['vacuum', 'orders', '--full']);
  });

  it('keeps double- and single-quoted words together, quotes removed', () => {
    expect(tokenize(`run "morning report" --note 'it''s fine'`)).toEqual(['run', 'morning report', '--note', 'its fine']);
  });

  it('joins quoted and unquoted parts of one word, like a shell', () => {
    expect(tokenize('--label=app="api v2"')).toEqual(['--label=app=api v2']);
  });

  it('honours backslash escapes outside single quotes only', () => {
    expect(tokenize(String.raw`say "a \"quoted\" word" 'back\slash' x\ y`)).toEqual(['say', 'a "quoted" word', 'back\\slash', 'x y']);
  });

  it('treats the curly quotes chat clients insert as straight quotes', () => {
    expect(tokenize('restart \u201Cmy api\u201D')).toEqual(['restart', 'my api']);
  });

  it('keeps an empty quoted argument', () => {
    expect(tokenize(`x "" y`)).toEqual(['x', '', 'y']);
  });

  it('refuses an unclosed quote with a message saying how to fix it', () => {
    expect(() => tokenize('vacuum "orders')).toThrowError(UserError);
    expect(() => tokenize('vacuum "orders')).toThrowError(/Unclosed double quote/);
  });
});
