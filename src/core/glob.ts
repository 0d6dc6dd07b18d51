/** A file name pattern where `*` is any run of characters and `?` one character; everything else is literal. */
export function globToRegExp(pattern: string): RegExp {
  const source = Array.from(pattern, (char) => {
    if (char === '*') return '.*';
    if (char === '?') return '.';
    return char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return new RegExp(`^${source}$`, 'su');
}
