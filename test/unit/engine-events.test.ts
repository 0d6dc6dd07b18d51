import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActionRegistry, type ActionDefinition } from '../../src/core/action.js';
import { ApprovalService } from '../../src/approvals/approval-service.js';
import { RunbookEngine } from '../../src/engine/engine.js';
import { chatProgress } from '../../src/engine/listeners/chat-progress.js';
import type { RunEvent, RunListener } from '../../src/engine/run-events.js';
import { RunbookCatalog } from '../../src/engine/runbook-catalog.js';
import { runbookSpecSchema } from '../../src/engine/runbook-spec.js';
import { OutboundRegistry } from '../../src/outbound/registry.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { capturedLogger } from '../support/logs.js';
import { person, TestChat } from '../support/test-chat.js';

const ran: string[] = [];

const note: ActionDefinition<Record<string, never>> = {
  name: 'test.note',
  destructive: false,
  inputs: z.object({}),
  plan: async () => ({ summary: 'note the request', detail: [] }),
  async run(_input, context) {
    await context.progress('writing the note');
    ran.push('note');
    return { summary: 'noted' };
  },
};

const wipe: ActionDefinition<Record<string, never>> = {
  name: 'test.wipe',
  destructive: true,
  inputs: z.object({}),
  plan: async () => ({ summary: 'wipe the scratch area', detail: ['rm -r scratch/'], lockKey: 'test:scratch' }),
  async run() {
    ran.push('wipe');
    return { summary: 'wiped' };
  },
};

const runbook = runbookSpecSchema.parse({
  name: 'tidy',
  description: 'A safe step, then a destructive one',
  steps: [
    { id: 'note', action: 'test.note' },
    { id: 'wipe', title: 'wipe the scratch area', action: 'test.wipe' },
  ],
});

/** Each event as `type step-index`, with the run id it carried. */
function recording(): { listener: RunListener; seen: Array<{ runId: string; what: string }> } {
  const seen: Array<{ runId: string; what: string }> = [];
  const describe = (event: RunEvent): string => {
    if (event.type === 'run-finished') return `run-finished ${event.result}`;
    if (event.type === 'run-refused') return `run-refused ${event.reason}`;
    return event.type === 'step-finished' ? `step-finished ${event.step.id} ${event.outcome}` : `${event.type} ${event.step.id}`;
  };
  return { seen, listener: (event) => void seen.push({ runId: event.run.id, what: describe(event) }) };
}

function world(extraListeners: RunListener[] = []) {
  const { logger, records } = capturedLogger('info');
  const runbooks = new RunbookCatalog([runbook]);
  const outbound = new OutboundRegistry();
  const approvals = new ApprovalService({
    store: new MemoryStore(),
    runbooks,
    logger,
    outbound,
    ruleFor: () => ({ approverRoles: ['operator'], required: 1, allowSelf: false, expiresAfterMs: 60_000 }),
  });
  const recorder = recording();
  const engine = new RunbookEngine({
    actions: new ActionRegistry().register(note).register(wipe),
    runbooks,
    approvals,
    listeners: [...extraListeners, recorder.listener, chatProgress, approvals.runListener],
  });
  const chat = new TestChat(() => ({
    async handle(invocation, responder) {
      const approval = /\bapprove (\w+)$/.exec(invocation.text);
      if (approval) await approvals.decide('approve', approval[1]!, invocation, responder, logger);
      else await engine.run({ runbook, params: {}, invocation, responder, logger });
      return 'ok';
    },
  }));
  outbound.connect(chat.port);
  return { engine, approvals, chat, seen: recorder.seen, records };
}

describe('the runbook engine tells its listeners what a run does', () => {
  it('emits step and run events, pauses at the destructive step, and the approval resumes the same run by its id', async () => {
    ran.length = 0;
    const { chat, approvals, seen } = world();
    const requester = person('ana', ['operator']);
    const { handles } = await chat.type(requester, 'tidy');
    expect(seen.map((event) => event.what)).toEqual([
      'step-started note',
      'step-progress note',
      'step-finished note ok',
      'step-started wipe',
      'waiting-for-approval wipe',
      'run-finished waiting',
    ]);
    expect(ran).toEqual(['note']);
    const card = chat.latest(handles[0]!);
    expect(card.kind === 'report' && card.title).toBe('Approval needed: tidy');
    const approvalId = card.kind === 'report' ? (card.context?.note?.replace('approval ', '') ?? '') : '';
    expect(approvalId).toMatch(/^\w{6}$/);

    expect(await chat.click(person('ben', ['operator']), handles[0]!, 'Approve')).toBe('ok');
    expect(ran).toEqual(['note', 'wipe']);
    const resumed = seen.slice(6);
    expect(resumed.map((event) => event.what)).toEqual(['step-started wipe', 'step-finished wipe ok', 'run-finished completed']);
    expect(new Set(seen.map((event) => event.runId)).size).toBe(1);
    const outcome = chat.latest(handles[0]!);
    expect(outcome.kind === 'report' && outcome.title).toBe('tidy: done');
    expect(outcome.kind === 'report' && outcome.context?.note).toBe(`approval ${approvalId}`);
    const record = outcome.kind === 'report' ? outcome.sections.find((section) => section.title === 'Approval') : undefined;
    expect(record?.lines.map((line) => `${line.label} ${line.value}`)).toEqual([expect.stringMatching(/^requested by ana at /), expect.stringMatching(/^approved by ben at /)]);
    expect((await approvals.get(approvalId))?.status).toBe('done');
  });

  it('goes on with the run and the other listeners when one listener throws, and logs it', async () => {
    ran.length = 0;
    const broken: RunListener = (event) => {
      if (event.type === 'step-started') throw new Error('listener broke');
    };
    const { chat, seen, records } = world([broken]);
    const { handles } = await chat.type(person('ana', ['operator']), 'tidy');
    expect(ran).toEqual(['note']);
    expect(seen.at(-1)?.what).toBe('run-finished waiting');
    expect(chat.latest(handles[0]!).kind).toBe('report');
    expect(records()).toEqual(expect.arrayContaining([expect.objectContaining({ msg: 'a run listener failed; the run goes on', event: 'step-started' })]));
  });
});
