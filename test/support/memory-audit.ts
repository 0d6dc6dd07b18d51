import type { AuditEvent, AuditTrail } from '../../src/audit/audit-trail.js';

/** An audit trail in memory whose records a test can read directly. */
export class MemoryAudit implements AuditTrail {
  readonly events: AuditEvent[] = [];

  async record(event: AuditEvent): Promise<void> {
    this.events.push(event);
  }

  async latest(count: number): Promise<AuditEvent[]> {
    return this.events.slice(-count).reverse();
  }

  async close(): Promise<void> {}
}

/** An audit record with plain defaults: Ada's command, ok, at a fixed time. */
export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    at: new Date('2024-05-01T09:00:00.123Z'),
    kind: 'command',
    invocationId: 'inv-1',
    platform: 'console',
    actor: { id: 'u1', name: 'Ada' },
    outcome: 'ok',
    ...overrides,
  };
}
