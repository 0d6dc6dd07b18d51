import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, freemem, release, totalmem, type } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchResult } from './result.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(benchDir, '..');
const performanceDoc = join(repoRoot, 'docs', 'PERFORMANCE.md');
const childTimeoutMs = 10 * 60_000;
const notBenchmarks = new Set(['run.ts', 'result.ts']);

/** One benchmark function found in a module of bench/. */
interface BenchEntry {
  module: string;
  file: string;
  exportName: string;
}

/** What happened to one benchmark: its result, or why it failed. */
type BenchOutcome = { entry: BenchEntry; ms: number } & ({ ok: true; result: BenchResult } | { ok: false; error: string });

/** Every `export async function bench…()` in bench/*.ts, found by reading the sources (nothing is imported here). */
async function findBenchmarks(): Promise<BenchEntry[]> {
  const files = (await readdir(benchDir)).filter((name) => name.endsWith('.ts') && !notBenchmarks.has(name)).sort();
  const entries: BenchEntry[] = [];
  for (const name of files) {
    const source = await readFile(join(benchDir, name), 'utf8');
    for (const match of source.matchAll(/^export async function (bench[A-Z]\w*)\s*\(\s*\)/gm)) {
      entries.push({ module: basename(name, '.ts'), file: join(benchDir, name), exportName: match[1]! });
    }
  }
  return entries;
}

/** Runs one benchmark in a child process of its own (tsx, --expose-gc) and collects its result over IPC. */
function runInChild(entry: BenchEntry): Promise<BenchOutcome> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', entry.file, entry.exportName], {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let stderr = '';
    let result: BenchResult | undefined;
    let failure: string | undefined;
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('message', (message: { result?: BenchResult; error?: string }) => {
      result = message.result;
      failure = message.error;
    });
    const timer = setTimeout(() => {
      failure = `did not finish within ${childTimeoutMs / 60_000} minutes`;
      child.kill('SIGKILL');
    }, childTimeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (result && code === 0) resolvePromise({ entry, ms, ok: true, result });
      else resolvePromise({ entry, ms, ok: false, error: failure ?? `exited with ${signal ?? `code ${code}`}${stderr ? `: ${lastLines(stderr, 3)}` : ''}` });
    });
  });
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' / ');
}

/** In the child: imports the module, runs the one function and sends its result to the parent. */
async function runChild(file: string, exportName: string): Promise<void> {
  try {
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const bench = module[exportName];
    if (typeof bench !== 'function') throw new Error(`${basename(file)} does not export ${exportName}`);
    const result = (await (bench as () => Promise<BenchResult>)()) as BenchResult;
    await new Promise<void>((done) => process.send!({ result }, () => done()));
    process.exit(0);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    await new Promise<void>((done) => process.send!({ error: text }, () => done()));
    process.exit(1);
  }
}

/** The machine the figures come from. */
async function machine(): Promise<string[]> {
  const cpu = cpus();
  const distro = await readFile('/etc/os-release', 'utf8').then(
    (text) => /^PRETTY_NAME="?([^"\n]+)"?/m.exec(text)?.[1],
    () => undefined,
  );
  return [
    `- CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores`,
    `- memory: ${(totalmem() / 1_073_741_824).toFixed(1)} GB (${(freemem() / 1_073_741_824).toFixed(1)} GB free at the start)`,
    `- Node.js ${process.version}`,
    `- OS: ${distro ? `${distro}, ` : ''}${type()} ${release()}`,
    `- date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
  ];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function section(outcome: BenchOutcome): string[] {
  const { entry } = outcome;
  const title = `## ${outcome.ok ? outcome.result.name : entry.module} (\`bench/${entry.module}.ts\`, ${entry.exportName})`;
  if (!outcome.ok) return [title, '', `**Failed** after ${(outcome.ms / 1000).toFixed(1)} s: ${escapeCell(outcome.error)}`, ''];
  const { result } = outcome;
  const lines = [title, '', result.method, '', '| figure | value | target | met |', '| --- | --- | --- | --- |'];
  for (const figure of result.figures) {
    const met = figure.target ? (figure.target.met ? 'yes' : '**missed**') : '';
    lines.push(`| ${escapeCell(figure.label)} | ${escapeCell(figure.value)} | ${escapeCell(figure.target?.text ?? '')} | ${met} |`);
  }
  lines.push('');
  for (const note of result.notes ?? []) lines.push(`- ${note}`);
  if (result.notes?.length) lines.push('');
  return lines;
}

function summary(outcomes: BenchOutcome[]): string[] {
  const targets = outcomes.flatMap((outcome) => (outcome.ok ? outcome.result.figures.filter((figure) => figure.target) : []));
  const missed = targets.filter((figure) => !figure.target!.met).length;
  const failed = outcomes.filter((outcome) => !outcome.ok).length;
  return [
    `${outcomes.length} benchmark${outcomes.length === 1 ? '' : 's'}: ${outcomes.length - failed} ran, ${failed} failed; ` +
      `${targets.length - missed} of ${targets.length} targets met${missed ? `, **${missed} missed**` : ''}.`,
  ];
}

async function document(outcomes: BenchOutcome[]): Promise<string> {
  return [
    '# Performance',
    '',
    'Written by `npm run bench` (bench/run.ts) from one run of every benchmark in `bench/`, each in a child process of its own;',
    'do not edit by hand. `npm run bench -- --only NAME` runs one benchmark and prints its section without touching this file.',
    '',
    '## Machine',
    '',
    ...(await machine()),
    '',
    ...summary(outcomes),
    '',
    ...outcomes.flatMap(section),
  ].join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { only: { type: 'string' }, child: { type: 'boolean' } } });
  if (values.child) {
    await runChild(positionals[0]!, positionals[1]!);
    return 0;
  }
  const all = await findBenchmarks();
  const chosen = values.only ? all.filter((entry) => entry.module === values.only || entry.exportName === values.only) : all;
  if (chosen.length === 0) {
    process.stderr.write(`bench: no benchmark named '${values.only}'; there are: ${all.map((entry) => entry.module).join(', ')}\n`);
    return 2;
  }
  const outcomes: BenchOutcome[] = [];
  for (const entry of chosen) {
    process.stderr.write(`bench: ${entry.module} (${entry.exportName})…\n`);
    const outcome = await runInChild(entry);
    process.stderr.write(`bench: ${entry.module} ${outcome.ok ? 'done' : `FAILED: ${outcome.error}`} in ${(outcome.ms / 1000).toFixed(1)} s\n`);
    outcomes.push(outcome);
  }
  const text = await document(outcomes);
  if (values.only) process.stdout.write(`${text}\n`);
  else {
    await writeFile(performanceDoc, `${text}\n`);
    process.stderr.write(`bench: wrote ${performanceDoc}\n`);
  }
  return outcomes.every((outcome) => outcome.ok) ? 0 : 1;
}

if (process.argv.includes('--child')) {
  await main();
} else {
  process.exitCode = await main();
}
