import { notice, type Notice } from '../core/report.js';
import type { AuditEvent } from './audit-trail.js';

const DETAIL_WIDTH = 60;
const WHO_WIDTH = 24;
const WHAT_WIDTH = 40;

const headings = ['time (UTC)', 'who', 'platform', 'what', 'outcome', 'duration', 'detail'] as const;

/**
 * The answer to `/maint audit [n]`: the records as an aligned table, newest first, each command's row with
 * the rows recorded under it (its steps, its approval events; same invocation id) beneath it, oldest first.
 */
export function renderAuditLog(events: readonly AuditEvent[]): Notice {
  if (events.length === 0) return notice('info', 'No audit records yet.');
  const rows = commandGroups(events).flatMap((group) => [auditRow(group.head, false), ...group.beneath.map((event) => auditRow(event, true))]);
  const title = events.length === 1 ? 'The latest audit record:' : `The latest ${events.length} audit records, newest first:`;
  return notice('info', title, alignColumns([[...headings], ...rows]));
}

interface CommandGroup {
  head: AuditEvent;
  beneath: AuditEvent[];
  latest: number;
}

/** A command's row with the other rows of its invocation; a row whose command row is not among `events` stands alone. */
function commandGroups(events: readonly AuditEvent[]): CommandGroup[] {
  const byInvocation = new Map<string, AuditEvent[]>();
  for (const event of events) byInvocation.set(event.invocationId, [...(byInvocation.get(event.invocationId) ?? []), event]);
  const groups: CommandGroup[] = [];
  for (const records of byInvocation.values()) {
    const head = records.find((event) => event.kind === 'command');
    if (!head) {
      groups.push(...records.map((event) => ({ head: event, beneath: [], latest: event.at.getTime() })));
      continue;
    }
    const beneath = records.filter((event) => event !== head).sort((a, b) => a.at.getTime() - b.at.getTime());
    groups.push({ head, beneath, latest: Math.max(...records.map((event) => event.at.getTime())) });
  }
  return groups.sort((a, b) => b.latest - a.latest);
}

function auditRow(event: AuditEvent, beneath: boolean): string[] {
  return [
    formatUtc(event.at),
    cut(oneLine(event.actor.name || event.actor.id), WHO_WIDTH),
    oneLine(event.platform),
    cut(oneLine(beneath ? `  · ${describePart(event)}` : describeWhat(event)), WHAT_WIDTH),
    oneLine(event.outcome),
    event.durationMs === undefined ? '-' : formatDuration(event.durationMs),
    cut(oneLine(event.detail ?? ''), DETAIL_WIDTH),
  ];
}

/** What the record is about: the command, the runbook and step, or the approval. */
function describeWhat(event: AuditEvent): string {
  const parts: string[] = [];
  if (event.command) parts.push(event.command);
  else if (event.runbook) parts.push(event.runbook);
  if (event.step) parts.push(`step ${event.step}`);
  if (event.approvalId) parts.push(`approval ${event.approvalId}`);
  if (parts.length === 0) parts.push(event.action ?? event.kind);
  return parts.join(' · ');
}

/** A row beneath its command: the step, the approval or the runbook, without the command again. */
function describePart(event: AuditEvent): string {
  if (event.step) return `step ${event.step}${event.approvalId ? ` · approval ${event.approvalId}` : ''}`;
  if (event.approvalId) return `approval ${event.approvalId}`;
  return event.runbook ?? event.action ?? event.kind;
}

function formatUtc(at: Date): string {
  return Number.isNaN(at.getTime()) ? '(invalid time)' : at.toISOString().slice(0, 19).replace('T', ' ');
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

function oneLine(text: string): string {
  return text.replace(/[\s\p{Cc}]+/gu, ' ').trim();
}

function cut(text: string, width: number): string {
  const characters = Array.from(text);
  return characters.length <= width ? text : `${characters.slice(0, width - 1).join('').trimEnd()}…`;
}

function alignColumns(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, Array.from(cell).length)));
  return rows
    .map((row) => row.map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - Array.from(cell).length)).join('  ').trimEnd())
    .join('\n');
}
