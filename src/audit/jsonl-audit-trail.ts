import { appendFile, mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { CodedError, UserError, errorMessage } from '../core/errors.js';
import { auditEventFromJsonLine, auditEventToJsonLine } from './audit-json.js';
import { clampRecordCount } from './audit-limits.js';
import type { AuditEvent, AuditTrail } from './audit-trail.js';
import { readLinesBackwards } from './read-lines-backwards.js';

/** The audit trail as a JSON-lines file: one record per line, appended, never rewritten. */
export class JsonlAuditTrail implements AuditTrail {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    /** The absolute path of the file. */
    readonly path: string,
    private readonly logger: Logger,
    private lastLineOpen: boolean,
  ) {}

  /**
   * Creates the folder and checks that the file can be appended to.
   * Throws a `UserError` naming the path when it cannot.
   */
  static async open(file: string, logger: Logger): Promise<JsonlAuditTrail> {
    const path = resolve(file);
    let lastLineOpen: boolean;
    try {
      await mkdir(dirname(path), { recursive: true });
      const handle = await open(path, 'a+');
      try {
        lastLineOpen = await endsWithoutNewline(handle);
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new UserError(`audit file cannot be written at ${path} (${fileFailure(error)})`);
    }
    return new JsonlAuditTrail(path, logger.child({ component: 'audit', file: path }), lastLineOpen);
  }

  record(event: AuditEvent): Promise<void> {
    this.writes = this.writes.then(() => this.append(event));
    return this.writes;
  }

  async latest(count: number): Promise<AuditEvent[]> {
    const limit = clampRecordCount(count);
    if (limit === 0) return [];
    await this.writes;
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (fileFailure(error) === 'ENOENT') return [];
      throw new CodedError('AUDIT_READ_FAILED', 'audit file could not be read', { file: this.path }, { cause: error });
    }
    try {
      const events: AuditEvent[] = [];
      for await (const line of readLinesBackwards(handle)) {
        const event = auditEventFromJsonLine(line);
        if (event) events.push(event);
        if (events.length === limit) break;
      }
      return events;
    } catch (error) {
      throw new CodedError('AUDIT_READ_FAILED', 'audit file could not be read', { file: this.path }, { cause: error });
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    await this.writes;
  }

  private async append(event: AuditEvent): Promise<void> {
    try {
      const line = auditEventToJsonLine(event);
      await appendFile(this.path, this.lastLineOpen ? `\n${line}` : line);
      this.lastLineOpen = false;
    } catch (error) {
      this.lastLineOpen = true;
      this.logger.error(
        { code: 'AUDIT_WRITE_FAILED', reason: errorMessage(error), kind: event.kind, invocation: event.invocationId, outcome: event.outcome },
        'audit record not stored',
      );
    }
  }
}

async function endsWithoutNewline(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

function fileFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : errorMessage(error);
}
