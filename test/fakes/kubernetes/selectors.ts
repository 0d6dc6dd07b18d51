/** A parsed label or field selector term, as the API server's `labelSelector` and `fieldSelector` take them. */
type Term =
  | { op: '=' | '!='; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | '!exists'; key: string };

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim() !== '') terms.push(current.trim());
  return terms;
}

/** Parses a label selector (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`); undefined when malformed. */
export function parseLabelSelector(selector: string): Term[] | undefined {
  const terms: Term[] = [];
  for (const text of splitTerms(selector)) {
    let match: RegExpExecArray | null;
    if ((match = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(text))) terms.push({ op: match[2] === '!=' ? '!=' : '=', key: match[1]!, value: match[3]! });
    else if ((match = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text)))
      terms.push({ op: match[2] as 'in' | 'notin', key: match[1]!, values: match[3]!.split(',').map((value) => value.trim()) });
    else if ((match = /^(!?)([\w./-]+)$/.exec(text))) terms.push({ op: match[1] ? '!exists' : 'exists', key: match[2]! });
    else return undefined;
  }
  return terms;
}

/** Parses a field selector (`a.b=c`, `a.b==c`, `a.b!=c`); undefined when malformed. */
export function parseFieldSelector(selector: string): Term[] | undefined {
  const terms: Term[] = [];
  for (const text of splitTerms(selector)) {
    const match = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(text);
    if (!match) return undefined;
    terms.push({ op: match[2] === '!=' ? '!=' : '=', key: match[1]!, value: match[3]! });
  }
  return terms;
}

/** True when `values` (labels, or field values by dotted path) satisfy every term. */
export function matchesTerms(terms: readonly Term[], lookup: (key: string) => string | undefined): boolean {
  return terms.every((term) => {
    const value = lookup(term.key);
    switch (term.op) {
      case '=':
        return value === term.value;
      case '!=':
        return value !== term.value;
      case 'in':
        return value !== undefined && term.values.includes(value);
      case 'notin':
        return value === undefined || !term.values.includes(value);
      case 'exists':
        return value !== undefined;
      case '!exists':
        return value === undefined;
    }
  });
}

/** The keys a parsed selector names. */
export function termKeys(terms: readonly Term[]): string[] {
  return terms.map((term) => term.key);
}

/** The value at a dotted path of a JSON object, as a string, e.g. `involvedObject.name`. */
export function fieldAt(object: unknown, path: string): string | undefined {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current === undefined || current === null ? undefined : String(current);
}
