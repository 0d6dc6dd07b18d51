import { appendFile, mkdir, open, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/audit-trail.js';
import { JsonlAuditTrail } from '../../src/audit/jsonl-audit-trail.js';
import { openAuditTrail } from '../../src/audit/open-audit-trail.js';
import { readLinesBackwards } from '../../src/audit/read-lines-backwards.js';
import { UserError } from '../../src/core/errors.js';
import { useTempDir } from '../support/temp.js';
import { capturedLogger } from '../support/logs.js';
import { auditEvent as event } from '../support/memory-audit.js';

const tempDir = useTempDir();

function numbered(index: number): AuditEvent {
  return event({ at: new Date(Date.UTC(2024, 0, 1) + index * 1000), invocationId: `inv-${index}`, args: { index } });
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('JSON-lines audit trail', () => {
  it('creates its folder and returns a full record exactly as it was recorded', async () => {
    const file = join(await tempDir(), 'state', 'audit', 'audit.jsonl');
    const trail = await JsonlAuditTrail.open(file, capturedLogger().logger);
    const full = event({
      kind: 'approval',
      channel: 'C042',
      command: 'restart api',
      runbook: 'restart',
      step: 'restart-container',
      action: 'docker.restart',
      approvalId: '7f3a',
      args: { container: 'api', force: false, count: 2, nested: { none: null, list: [1, 'two'] }, name: 'Zoë ✓' },
      outcome: 'approved',
      detail: 'approved by Grace',
      durationMs: 42,
    });
    const minimal = event({ at: new Date('2024-05-01T09:00:05.000Z'), invocationId: 'inv-2' });
    await trail.record(full);
    await trail.record(minimal);
    await trail.close();

    const [newest, older] = await trail.latest(10);
    expect(newest).toStrictEqual(minimal);
    expect(older).toStrictEqual(full);
    expect((await readFile(file, 'utf8')).trimEnd().split('\n')).toHaveLength(2);
  });

  it('lists the newest records first and no more than asked', async () => {
    const trail = await JsonlAuditTrail.open(join(await tempDir(), 'audit.jsonl'), capturedLogger().logger);
    for (let index = 0; index < 5; index++) await trail.record(numbered(index));

    expect((await trail.latest(3)).map((record) => record.invocationId)).toEqual(['inv-4', 'inv-3', 'inv-2']);
    expect(await trail.latest(50)).toHaveLength(5);
    expect(await trail.latest(0)).toEqual([]);
  });

  it('keeps every line whole when many records are written at once', async () => {
    const file = join(await tempDir(), 'audit.jsonl');
    const trail = await JsonlAuditTrail.open(file, capturedLogger().logger);

    await Promise.all(Array.from({ length: 200 }, (_, index) => trail.record(numbered(index))));

    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(200);
    expect(lines.every((line) => JSON.parse(line) !== undefined)).toBe(true);
    expect((await trail.latest(1))[0]!.invocationId).toBe('inv-199');
  });

  it('reads the tail of a file with thousands of lines and a torn last line', async () => {
    const file = join(await tempDir(), 'audit.jsonl');
    const body = Array.from({ length: 5000 }, (_, index) => JSON.stringify(numbered(index))).join('\n');
    await writeFile(file, `${body}\n{"at":"2024-01-01T02:00:00.000Z","kind":"comm`);
    const trail = await JsonlAuditTrail.open(file, capturedLogger().logger);

    const latest = await trail.latest(25);

    expect(latest).toHaveLength(25);
    expect(latest[0]).toStrictEqual(numbered(4999));
    expect(latest.at(-1)).toStrictEqual(numbered(4975));
  });

  it('starts a new line after a torn one, so the next record is readable', async () => {
    const file = join(await tempDir(), 'audit.jsonl');
    await writeFile(file, `${JSON.stringify(numbered(0))}\n{"at":"2024-01-01T0`);
    const trail = await JsonlAuditTrail.open(file, capturedLogger().logger);

    await trail.record(numbered(1));

    expect((await trail.latest(5)).map((record) => record.invocationId)).toEqual(['inv-1', 'inv-0']);
  });

  it('reads only the end of a large file', async () => {
    const file = join(await tempDir(), 'audit.jsonl');
    const filler = `${JSON.stringify(event({ detail: 'x'.repeat(900) }))}\n`.repeat(2_000);
    await writeFile(file, filler);
    await appendFile(file, `${JSON.stringify(numbered(7))}\n`);
    expect((await stat(file)).size).toBeGreaterThan(1_800_000);
    const handle = await open(file, 'r');
    const read = handle.read.bind(handle);
    let bytesRead = 0;
    handle.read = (async (...args: Parameters<typeof read>) => {
      const result = await read(...args);
      bytesRead += result.bytesRead;
      return result;
    }) as typeof handle.read;

    const lines: string[] = [];
    for await (const line of readLinesBackwards(handle)) {
      lines.push(line);
      if (lines.length === 3) break;
    }
    await handle.close();

    expect(JSON.parse(lines[0]!)).toMatchObject({ invocationId: 'inv-7' });
    expect(bytesRead).toBeLessThanOrEqual(64 * 1024);
  });

  it('splits lines on bytes, keeping characters that straddle a chunk boundary', async () => {
    const file = join(await tempDir(), 'lines.txt');
    const lines = Array.from({ length: 300 }, (_, index) => `${index} ✓ Zoë ${'é'.repeat(index % 7)}`);
    await writeFile(file, `${lines.join('\n')}\n\n`);
    const handle = await open(file, 'r');

    const backwards = await collect(readLinesBackwards(handle, { chunkBytes: 7 }));
    await handle.close();

    expect(backwards).toEqual([...lines].reverse());
  });

  it('logs a record it cannot store instead of throwing, and stores the next one', async () => {
    const file = join(await tempDir(), 'audit.jsonl');
    const { logger, records } = capturedLogger();
    const trail = await JsonlAuditTrail.open(file, logger);
    await rm(file);
    await mkdir(file);

    await expect(trail.record(event({ invocationId: 'lost-1' }))).resolves.toBeUndefined();

    const failure = records().find((record) => record.msg === 'audit record not stored');
    expect(failure).toMatchObject({ level: 'error', code: 'AUDIT_WRITE_FAILED', invocation: 'lost-1', kind: 'command' });
    expect(String(failure!.reason)).toContain('EISDIR');
    await rmdir(file);
    await trail.record(event({ invocationId: 'kept' }));
    expect((await trail.latest(5)).map((record) => record.invocationId)).toEqual(['kept']);
  });

  it('refuses to start with a clear message when the folder cannot be created', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'not-a-folder'), '');

    const failure = await JsonlAuditTrail.open(join(dir, 'not-a-folder', 'audit.jsonl'), capturedLogger().logger).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(UserError);
    expect((failure as Error).message).toMatch(/^audit file cannot be written at .*not-a-folder\/audit\.jsonl \((ENOTDIR|EEXIST)\)$/);
  });

  it('is what openAuditTrail opens when no database URL is configured', async () => {
    const file = join(await tempDir(), 'audit.jsonl');
    const trail = await openAuditTrail({ file }, capturedLogger().logger);
    await trail.record(event({ invocationId: 'via-open' }));

    expect(trail).toBeInstanceOf(JsonlAuditTrail);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ invocationId: 'via-open' });
  });
});
