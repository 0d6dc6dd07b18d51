import { errorCodeOf, errorMessage, UserError } from '../../core/errors.js';
import type { StepRecord } from '../../core/approval-gate.js';
import { notice, type Message, type Report, type ReportLine } from '../../core/report.js';
import { worstStatus } from '../../core/status.js';
import type { RunEvent, RunInfo, RunListener } from '../run-events.js';

/** Shows a run in its chat message: the step in progress, then the outcome; a chat failure is logged and the run goes on. */
export const chatProgress: RunListener = async (event) => {
  const message = progressMessage(event);
  if (!message) return;
  if (event.type === 'step-progress' && !event.run.message.handle) return;
  try {
    await event.run.message.show(message);
  } catch (error) {
    event.run.logger.error({ err: error, runbook: event.run.runbook.name }, 'could not show runbook progress in chat; the run goes on');
  }
};

function progressMessage(event: RunEvent): Message | undefined {
  const { run } = event;
  const name = run.runbook.name;
  const total = run.runbook.steps.length;
  switch (event.type) {
    case 'step-started':
      return notice('progress', `${name}: step ${event.index + 1} of ${total} — ${event.step.title ?? event.step.id}…`);
    case 'step-progress':
      return notice('progress', `${name}: step ${event.index + 1} of ${total} — ${event.text}`);
    case 'step-finished':
    case 'waiting-for-approval':
    case 'run-refused':
      return undefined;
    case 'run-finished':
      switch (event.result) {
        case 'waiting':
          return undefined;
        case 'interrupted': {
          const because = event.cause === 'shutdown' ? 'maintbot is shutting down' : "this bot process lost the run's lease (another one declared it lost)";
          if (!event.during) return notice('error', `${name} was interrupted before step ${event.stepIndex + 1} of ${total} because ${because}.`);
          const step = run.runbook.steps[event.stepIndex]!;
          return notice('error', `${name} was interrupted at step ${event.stepIndex + 1} of ${total} (${step.title ?? step.id}) because ${because}; check its state before running it again.`);
        }
        case 'lost': {
          const step = run.runbook.steps[event.stepIndex]!;
          return notice(
            'error',
            `${name} was lost at step ${event.stepIndex + 1} of ${total} (${step.title ?? step.id}): the bot process running it stopped, and its lease expired. Nothing more will run; check its state before running it again.`,
          );
        }
        case 'failed':
          if (total > 1) return withStepsShown(failureReport(run, [], event.stepIndex, event.error, event.durationMs), event.steps, event.message);
          return event.message ?? failureReport(run, event.summaries, event.stepIndex, event.error, event.durationMs);
        case 'completed':
          if (total > 1) return withStepsShown(summaryReport(run, [], event.durationMs), event.steps, event.message);
          return event.message ?? summaryReport(run, event.summaries, event.durationMs);
      }
  }
}

function failureReport(run: RunInfo, summaries: readonly string[], index: number, error: unknown, durationMs: number): Report {
  const step = run.runbook.steps[index]!;
  const reason =
    error instanceof UserError
      ? error.message
      : `an internal error (${errorCodeOf(error, 'STEP_FAILED')}); the bot's log has the details under invocation ${run.invocation.id}`;
  if (!(error instanceof UserError)) run.logger.debug({ message: errorMessage(error) }, 'failure detail');
  const lines: ReportLine[] = [
    ...summaries.map((summary): ReportLine => ({ status: 'ok', label: 'done', value: summary })),
    { status: 'crit', label: `step ${index + 1}`, value: `${step.title ?? step.id} failed`, note: reason },
  ];
  return {
    kind: 'report',
    title: `${run.runbook.name} failed at step ${index + 1} of ${run.runbook.steps.length}`,
    status: 'crit',
    sections: [{ title: run.runbook.name, status: 'crit', lines }],
    context: { requestedBy: run.invocation.actor.name, durationMs },
  };
}

function summaryReport(run: RunInfo, summaries: readonly string[], durationMs: number): Report {
  return {
    kind: 'report',
    title: `${run.runbook.name}: done`,
    status: 'ok',
    sections: [{ title: run.runbook.name, status: 'ok', lines: summaries.map((summary) => ({ status: 'ok', label: 'done', value: summary })) }],
    context: { requestedBy: run.invocation.actor.name, durationMs },
  };
}

/**
 * The final card of a runbook of several steps: one line per step (done with its summary, or skipped by its
 * condition) before the report's own lines, then the last step's own message (its sections, or its text).
 */
function withStepsShown(report: Report, steps: readonly StepRecord[], last: Message | undefined): Report {
  const stepLines = steps.map((record): ReportLine =>
    record.outcome === 'skipped'
      ? { status: 'skipped', label: record.title, value: 'skipped', ...(record.summary ? { note: record.summary } : {}) }
      : { status: 'ok', label: record.title, value: record.summary ?? 'done' },
  );
  const [own, ...rest] = report.sections;
  const sections = [{ ...own!, lines: [...stepLines, ...own!.lines] }, ...rest];
  if (last?.kind === 'report') {
    return { ...report, status: worstStatus([report.status, last.status]), sections: [...sections, ...last.sections], ...(last.summary ? { summary: last.summary } : {}) };
  }
  if (last?.kind === 'notice') {
    const detail = last.preformatted ? { sections: [...sections, { title: 'output', status: 'ok' as const, lines: [{ status: 'ok' as const, label: 'output', value: '', detail: last.preformatted.split('\n') }] }] } : { sections };
    return { ...report, summary: last.text, ...detail };
  }
  return { ...report, sections };
}
