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
