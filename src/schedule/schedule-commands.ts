import { notice } from '../core/report.js';
import { localDateTime } from '../core/time-zone.js';
import { userText } from '../core/user-text.js';
import type { BuiltinHandler } from '../router/router.js';
import type { Scheduler, ScheduleStatus } from './scheduler.js';

/** `/maint schedules`: every schedule with its next run in its own time zone, and its last run. */
export function schedulesCommand(scheduler: Scheduler): BuiltinHandler {
  return async ({ responder }) => {
    const statuses = await scheduler.list();
    if (statuses.length === 0) {
      await responder.replyPrivately(notice('info', 'No schedules are configured. Add them under schedules: in the config.'));
      return;
    }
    const width = Math.max(...statuses.map((status) => status.schedule.name.length));
    const rows = statuses.map((status) => `${status.schedule.name.padEnd(width)}  ${status.schedule.cron.padEnd(13)}  ${nextRunText(status)}${lastRunText(status)}`);
    await responder.replyPrivately(notice('info', `${statuses.length} schedule${statuses.length === 1 ? '' : 's'}. Run one now with /maint run <schedule>.`, rows.join('\n')));
  };
}

/** `/maint run <schedule>`: runs a schedule now and posts where it always posts. */
export function runCommand(scheduler: Scheduler): BuiltinHandler {
  return async ({ invocation, responder, args }) => {
    const name = String(args.values.schedule);
    await responder.replyPrivately(notice('progress', `Running schedule ${userText(name)} now…`));
    const run = await scheduler.runNow(name, invocation.actor.name);
    await responder.reply(notice(run.outcome === 'ok' ? 'info' : 'error', `Schedule ${name} ran for ${invocation.actor.name}: ${run.summary}.`));
  };
}

function nextRunText(status: ScheduleStatus): string {
  if (status.inactive) return `not running: ${status.inactive}`;
  if (!status.nextRun) return 'no next run';
  return `next ${localDateTime(status.nextRun, status.timeZone)} ${status.timeZone}`;
}

function lastRunText(status: ScheduleStatus): string {
  const last = status.lastRun;
  if (!last) return '';
  return ` · last ${localDateTime(new Date(last.finishedAt), status.timeZone)} ${last.outcome}`;
}
