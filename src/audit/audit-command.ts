import { notice, type Notice } from '../core/report.js';
import type { AuditEvent } from './audit-trail.js';

const DETAIL_WIDTH = 60;
const WHO_WIDTH = 24;
const WHAT_WIDTH = 40;

const headings = ['time (UTC)', 'who', 'platform', 'what', 'outcome', 'duration', 'detail'] as const;

/** The answer to `/maint audit [n]`: the records, newest first, as an aligned table. */
export function renderAuditLog(events: readonly AuditEvent[]): Notice {
  if (events.length === 0) return notice('info', 'No audit records yet.');
  const newestFirst = [...events].sort((a, b) => b.at.getTime() - a.at.getTime());
  const rows = newestFirst.map(auditRow);
  const title = events.length === 1 ? 'The latest audit record:' : `The latest ${events.length} audit records, newest first:`;
  return notice('info', title, alignColumns([[...headings], ...rows]));
}

function auditRow(event: AuditEvent): string[] {
  return [
    formatUtc(event.at),
    cut(oneLine(event.actor.name || event.actor.id), WHO_WIDTH),
    oneLine(event.platform),
    cut(oneLine(describeWhat(event)), WHAT_WIDTH),
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
