import type { AlertRecord } from '../alerts/alert-messages.js';
import type { ApprovalRequest } from '../approvals/approval-request.js';
import type { AuditEvent, AuditTrail } from '../audit/audit-trail.js';
import type { HomeSource } from '../core/home.js';
import type { Actor, Platform } from '../core/invocation.js';
import type { ReportButton, ReportLine, ReportSection, Report } from '../core/report.js';
import { worstStatus, type LineStatus } from '../core/status.js';
import { timeText } from '../core/time.js';
import { formatMilliseconds } from '../render/units.js';
import type { ScheduleStatus } from '../schedule/scheduler.js';

/** What a home is built from: the core's approvals, audit trail, schedules and alerts. */
export interface HomeDependencies {
  /** The pending requests a person may approve. */
  decidable(actor: Actor, platform: Platform): Promise<ApprovalRequest[]>;
  audit: Pick<AuditTrail, 'latest'>;
  schedules(): Promise<ScheduleStatus[]>;
  openAlerts(): Promise<AlertRecord[]>;
  now?: () => number;
}

/** How many of each kind a home lists; the section title counts the rest. */
export const homeListed = 5;
/** How many of the newest audit records are searched for a person's own commands. */
export const homeAuditWindow = 500;

const summaryLength = 120;

/**
 * Builds each person's home: their roles, the requests they may approve (with Approve and Reject buttons,
 * the same commands as the cards'), their latest commands from the audit trail, the next schedules and the
 * open alerts.
 */
export function createHome(deps: HomeDependencies): HomeSource {
  const now = deps.now ?? Date.now;
  return {
    async homeFor(actor, platform) {
      const [requests, events, schedules, alerts] = await Promise.all([deps.decidable(actor, platform), deps.audit.latest(homeAuditWindow), deps.schedules(), deps.openAlerts()]);
      const at = now();
      const shownRequests = requests.slice(0, homeListed);
      const sections = [
        { title: 'Your roles', status: 'ok' as const, lines: [{ status: 'ok' as const, label: 'roles', value: actor.roles.join(', ') || 'none' }] },
        approvalSection(requests, shownRequests, at),
        commandSection(events.filter((event) => event.kind === 'command' && event.actor.id === actor.id && event.platform === platform)),
        scheduleSection(schedules),
        alertSection(alerts),
      ];
      const alertWord = `${alerts.length} open alert${alerts.length === 1 ? '' : 's'}`;
      return {
        kind: 'report',
        title: 'maintbot',
        status: worstStatus(['ok', ...alerts.map((alert) => alert.line.status)]),
        summary: `${requests.length} approval request${requests.length === 1 ? '' : 's'} you may decide, ${alertWord}.`,
        sections,
        buttons: shownRequests.flatMap((request): ReportButton[] => [
          { label: `Approve ${request.id}`, command: `approve ${request.id}`, style: 'primary' },
          { label: `Reject ${request.id}`, command: `reject ${request.id}`, style: 'danger' },
        ]),
        context: { note: `updated ${timeText(at)}` },
      } satisfies Report;
    },
  };
}

function approvalSection(all: readonly ApprovalRequest[], shown: readonly ApprovalRequest[], now: number): ReportSection {
  const lines = shown.map((request): ReportLine => {
    const summary = request.plan.summary.length > summaryLength ? `${request.plan.summary.slice(0, summaryLength - 1)}…` : request.plan.summary;
    const given = `${request.approvals.length} of ${request.rule.required} approval${request.rule.required === 1 ? '' : 's'}`;
    return {
      status: 'warn',
      label: `${request.id} · ${request.runbook}`,
      value: summary,
      note: `asked by ${request.invocation.actor.name} · ${given} · expires ${timeText(request.expiresAt)} (in ${formatMilliseconds(Math.max(0, request.expiresAt - now))})`,
    };
  });
  return {
    title: counted('Approval requests you may decide', all.length, shown.length),
    status: lines.length > 0 ? 'warn' : 'ok',
    lines: lines.length > 0 ? lines : [{ status: 'ok', label: 'pending', value: 'nothing waits for you' }],
  };
}

const problemOutcomes: Record<string, LineStatus> = { failed: 'crit', lost: 'crit', interrupted: 'crit', invalid: 'warn', denied: 'warn', refused: 'warn', limited: 'warn' };

function commandSection(mine: readonly AuditEvent[]): ReportSection {
  const lines = mine.slice(0, homeListed).map((event): ReportLine => ({
    status: problemOutcomes[event.outcome] ?? 'ok',
    label: `/maint ${event.command ?? event.runbook ?? ''}`.trim(),
    value: `${event.outcome} · ${timeText(event.at.getTime())}`,
  }));
  return {
    title: 'Your latest commands (audit trail)',
    status: 'ok',
    lines: lines.length > 0 ? lines : [{ status: 'ok', label: 'commands', value: `none among the latest ${homeAuditWindow} audit records` }],
  };
}

function scheduleSection(schedules: readonly ScheduleStatus[]): ReportSection {
  const next = schedules.filter((status): status is ScheduleStatus & { nextRun: Date } => status.nextRun !== undefined && !status.inactive).sort((a, b) => a.nextRun.getTime() - b.nextRun.getTime());
  const lines = next.slice(0, homeListed).map((status): ReportLine => ({ status: 'ok', label: status.schedule.name, value: `${timeText(status.nextRun.getTime())} (${status.schedule.cron}, ${status.timeZone})` }));
  return {
    title: counted('Next schedules', next.length, lines.length),
    status: 'ok',
    lines: lines.length > 0 ? lines : [{ status: 'ok', label: 'schedules', value: 'none runs' }],
  };
}

function alertSection(alerts: readonly AlertRecord[]): ReportSection {
  const lines = alerts.slice(0, homeListed).map((alert): ReportLine => {
    const handling = [alert.acked && `acked by ${alert.acked.by}`, alert.snoozed && `snoozed until ${timeText(alert.snoozed.until)}`].filter(Boolean).join(', ');
    return { status: alert.line.status, label: `${alert.target} · ${alert.label}`, value: alert.line.value, note: `alert ${alert.id} since ${timeText(alert.openedAt)}${handling ? ` · ${handling}` : ''}` };
  });
  return {
    title: counted('Open alerts', alerts.length, lines.length),
    status: worstStatus(['ok', ...lines.map((line) => line.status)]),
    lines: lines.length > 0 ? lines : [{ status: 'ok', label: 'alerts', value: 'none open' }],
  };
}

function counted(title: string, all: number, shown: number): string {
  return all > shown ? `${title} (${shown} of ${all})` : title;
}
