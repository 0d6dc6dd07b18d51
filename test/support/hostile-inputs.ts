/** The word every generated SQL payload carries, so a server log can be searched for it. */
export const injectionMarker = 'FUZZINJ';

/** A file name prefix every generated shell payload would create in the marker folder if a shell ran it. */
export const shellMarkerPrefix = 'pwned-';

/** What the generator needs to know of the world the inputs are sent into. */
export interface HostileInputOptions {
  /** The folder shell payloads name (`touch <dir>/pwned-N`): nothing may appear in it. */
  markerDir: string;
  /** How many of the inputs carry a 1 MB value (the others carry 10 KB and 100 KB ones). */
  megabyteLines: number;
}

/** A small, fast, seeded generator (mulberry32): the same seed gives the same inputs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const templates = [
  'vacuum {v}',
  'vacuum orders --database {v}',
  'vacuum {v} --target fuzz-pg --dry-run',
  'vacuum {v} --full',
  'reindex --index {v}',
  'reindex --table {v} --dry-run',
  'terminate-long-queries --older-than {v} --dry-run',
  'terminate-long-queries --idle-in-transaction {v} --database fuzz --dry-run',
  'terminate-long-queries --database {v} --dry-run',
  'health {v}',
  'approve {v}',
  'reject {v}',
  'cancel {v}',
  'run {v}',
  'ack {v}',
  'snooze {v} {v}',
  'silence {v} --for 1h',
  'silence target={v} --for 1h --reason {v}',
  'unsilence {v}',
  'restore {v} --into {v}',
  'restore-test --backup {v}',
  'backups {v}',
  'help {v}',
  'audit {v}',
  'restart {v}',
  '{v}',
  '/maint {v} {v}',
];

type Category = (random: () => number, options: HostileInputOptions, index: number) => string;

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const sqlInIdentifiers: Category = (random) =>
  pick(random, [
    `x"; DROP TABLE canary; -- ${injectionMarker}`,
    `orders; DELETE FROM canary /* ${injectionMarker} */`,
    `' OR 1=1; TRUNCATE canary; -- ${injectionMarker}`,
    `canary" cascade; -- ${injectionMarker}`,
    `public.canary; DROP TABLE canary; ${injectionMarker}`,
    `"canary"; UPDATE canary SET secret = '${injectionMarker}'`,
    `$$; DROP TABLE canary; $$ ${injectionMarker}`,
    `orders' || pg_sleep(5) || '${injectionMarker}`,
    `pg_catalog.pg_authid; DROP TABLE canary -- ${injectionMarker}`,
    `${injectionMarker}\\"; DROP TABLE canary; --`,
  ]);

const shellMetacharacters: Category = (random, { markerDir }, index) => {
  const file = `${markerDir}/${shellMarkerPrefix}${index}`;
  return pick(random, [`$(touch ${file})`, `\`touch ${file}\``, `x; touch ${file}`, `x | touch ${file}`, `x && touch ${file}`, `x > ${file}`, `"$(touch ${file})"`, `'; touch ${file}; '`]);
};

const controlAndUnicode: Category = (random) =>
  pick(random, [
    'x\u0000',
    'vac\u0000uum',
    '\u001b[31mred',
    '\u001b]0;owned\u0007',
    '\u001b[2J\u001b[H',
    'abc\u202Etxt.exe',
    '\u2066isolate\u2069',
    'c1\u009bcontrol',
    'del\u007f',
    'zero\u200bwidth',
    '\uFEFFbom',
    'e\u0301\u0301\u0301\u0301',
    '🔥💥🧨',
    '\u0008\u0008\u0008back',
    'tab\there',
    'ff\u000cvt\u000b',
  ]);

const longValues: Category = (random, { megabyteLines }, index) => {
  const nth = Math.floor(index / categories.length);
  const size = nth % 4 === 0 && nth / 4 < megabyteLines ? 1_048_576 : pick(random, [100, 1_000, 3_000, 10_240, 102_400]);
  const unit = pick(random, ['a', 'orders', 'é', '"', '\u202E', 'x.y']);
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
};

const badDurations: Category = (random) =>
  pick(random, ['99999999999d', '-5m', '0s', '1e9s', 'NaNs', 'Infinity', '5 minutes', '1.5.5h', '500ms', '366d', '00000000000000000001s', '1h-30m', '']);

const oddFlags: Category = (random) =>
  pick(random, ['--', '---x', '--=', '--target=', '-', '--no-target', '--full=maybe', '--dry-run=no', '-zzz', '--target a --target b', '--full --full --no-full', '-h-h', '--help=--help', '--target', '--older-than --older-than 1m']);

const pathTraversal: Category = (random) =>
  pick(random, ['../../../../etc/passwd', '/etc/shadow', '..%2f..%2f..%2fetc%2fpasswd', '....//....//etc/passwd', 'C:\\Windows\\win.ini', '~/.ssh/id_rsa', 'x/../../y.dump', '/proc/self/environ']);

const formatStrings: Category = (random) =>
  pick(random, ['%s%s%s%s%n', '%x%x%x', '{0}{1}', '${process.exit(1)}', '${params.table}', '#{7*7}', '{{7*7}}', '%(name)s', '${steps.vacuum.sql}', '<script>alert(1)</script>']);

const prototypeKeys: Category = (random) =>
  pick(random, ['__proto__', 'constructor', 'prototype', '--__proto__ x', '--constructor=1', 'hasOwnProperty', 'toString', '__proto__.polluted', '--__proto__.polluted=yes', 'valueOf']);

const unbalancedQuotes: Category = (random) => pick(random, ['"abc', "'abc", `"a'b`, '\\', 'x\\', `'''`, '"""', `"a" "b`, '\u201Ccurly', `'it''s`]);

const categories: readonly Category[] = [
  sqlInIdentifiers,
  shellMetacharacters,
  controlAndUnicode,
  longValues,
  badDurations,
  oddFlags,
  pathTraversal,
  formatStrings,
  prototypeKeys,
  unbalancedQuotes,
];

/** Categories whose values are typed as they are; the others are quoted more often than not, so that most arrive as one word. */
const keptRaw = new Set<Category>([oddFlags, unbalancedQuotes]);

/**
 * `count` hostile command lines, every category in turn (SQL in identifiers, shell metacharacters, unicode
 * and control characters, 10 KB–1 MB values, bad durations, odd flags, path traversal, format strings,
 * prototype-pollution keys, unbalanced quotes), each put into a command template, most of them quoted as one
 * word. No line holds a line
 * break, and none is `quit`, so each is exactly one command of the terminal chat.
 */
export function hostileInputs(seed: number, count: number, options: HostileInputOptions): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const category = categories[index % categories.length]!;
    const value = (): string => {
      const raw = category(random, options, index);
      return keptRaw.has(category) || random() < 0.4 ? raw : `"${raw.replace(/[\\"]/g, '\\$&')}"`;
    };
    return pick(random, templates).replace(/\{v\}/g, () => value());
  });
}
