import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActionRegistry, type ActionDefinition } from '../../src/core/action.js';
import { UserError } from '../../src/core/errors.js';
import { ApprovalService } from '../../src/approvals/approval-service.js';
import { RunbookEngine } from '../../src/engine/engine.js';
import { chatProgress } from '../../src/engine/listeners/chat-progress.js';
import { runAudit } from '../../src/engine/listeners/run-audit.js';
import type { RunListener } from '../../src/engine/run-events.js';
import { RunbookCatalog } from '../../src/engine/runbook-catalog.js';
import { runbookSpecSchema, type RunbookSpec } from '../../src/engine/runbook-spec.js';
import { OutboundRegistry } from '../../src/outbound/registry.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { capturedLogger } from '../support/logs.js';
import { MemoryAudit } from '../support/memory-audit.js';
import { person, TestChat } from '../support/test-chat.js';

/** What the test actions did, in order: `plan <name>` and `run <name>`. */
const calls: string[] = [];

/** A safe action that refuses a `name` of "missing" in its plan, as a real one refuses a table that does not exist. */
const check: ActionDefinition<{ name: string }> = {
  name: 'test.check',
  destructive: false,
  inputs: z.object({ name: z.string() }),
  async plan(input) {
    calls.push(`plan ${input.name}`);
    if (input.name === 'missing') throw new UserError('No thing named "missing". Did you mean mixing?');
    return { summary: `check ${input.name}`, detail: [] };
  },
  async run(input) {
    calls.push(`run ${input.name}`);
    if (input.name === 'fails') throw new UserError('the check failed');
    return { summary: `checked ${input.name}`, output: { next: 'missing' } };
  },
};

const wipe: ActionDefinition<{ name: string }> = {
  name: 'test.wipe',
  destructive: true,
  inputs: z.object({ name: z.string() }),
  async plan(input) {
    calls.push(`plan wipe ${input.name}`);
    return { summary: `wipe ${input.name}`, detail: [], lockKey: `test:${input.name}` };
  },
  async run(input) {
    calls.push(`run wipe ${input.name}`);
    return { summary: `wiped ${input.name}` };
  },
};

function runbook(steps: unknown[]): RunbookSpec {
  return runbookSpecSchema.parse({ name: 'tidy', description: 'test', params: { name: { type: 'string' }, first: { type: 'string' } }, steps });
}

function world(spec: RunbookSpec, options: { commanded?: boolean } = {}) {
  calls.length = 0;
  const { logger } = capturedLogger('silent');
  const runbooks = new RunbookCatalog([spec]);
  const outbound = new OutboundRegistry();
  const store = new MemoryStore();
  const approvals = new ApprovalService({ store, runbooks, logger, outbound, ruleFor: () => ({ approverRoles: ['operator'], required: 1, allowSelf: false, expiresAfterMs: 60_000 }) });
  const events: string[] = [];
  const recorder: RunListener = (event) => void events.push(event.type);
  const audit = new MemoryAudit();
  const listeners = [recorder, runAudit(audit), chatProgress, approvals.runListener];
  const engine = new RunbookEngine({ actions: new ActionRegistry().register(check).register(wipe), runbooks, approvals, listeners });
  const chat = new TestChat(() => ({
    handle: async (invocation, responder) => {
      const params = { first: 'a', ...Object.fromEntries(invocation.text.split(' ').map((pair) => pair.split('='))) };
      const outcome = await engine.run({ runbook: spec, params, invocation, responder, logger, ...(options.commanded === false ? {} : { command: invocation }) });
      return outcome.result === 'refused' ? 'refused' : 'ok';
    },
  }));
  outbound.connect(chat.port);
  return { chat, store, events, audit };
}

const ana = person('ana', ['operator']);

describe('the pre-flight of a run, before anything is posted', () => {
  it('refuses privately what a step names when its inputs are known up front: no message, no step, only run-refused', async () => {
    const { chat, events } = world(runbook([{ id: 'one', action: 'test.check', with: { name: '${params.first}' } }, { id: 'two', action: 'test.check', with: { name: '${params.name}' } }]));
    expect(await chat.type(ana, 'name=missing')).toEqual({ outcome: 'refused', handles: [] });
    expect(chat.privateTexts(ana)).toEqual(['No thing named "missing". Did you mean mixing?']);
    expect(chat.messages.size).toBe(0);
    expect(calls).toEqual(['plan a', 'plan missing']);
    expect(events).toEqual(['run-refused']);
  });

  it('records the refusal of a run no command started (a schedule\'s) in a runbook row of its own', async () => {
    const { chat, audit } = world(runbook([{ id: 'one', action: 'test.check', with: { name: '${params.name}' } }]), { commanded: false });
    await chat.type(ana, 'name=missing');
    expect(audit.events).toEqual([expect.objectContaining({ kind: 'runbook', runbook: 'tidy', outcome: 'refused', detail: 'No thing named "missing". Did you mean mixing?' })]);
  });

  it('leaves a step whose inputs come from an earlier step, or whose condition is false, to be checked when it runs', async () => {
    const { chat } = world(
      runbook([
        { id: 'one', action: 'test.check', with: { name: '${params.first}' } },
        { id: 'skipped', action: 'test.check', when: '${params.name}', with: { name: 'missing' } },
        { id: 'later', action: 'test.check', with: { name: '${steps.one.outputs.next}' } },
      ]),
    );
    const { outcome, handles } = await chat.type(ana, 'name=');
    expect(outcome).toBe('ok');
    expect(calls).toEqual(['plan a', 'run a', 'run missing']);
    const shown = chat.latest(handles[0]!);
    expect(shown.kind === 'report' && shown.title).toBe('tidy: done');
  });

  it('checks up front a step whose condition waits for an earlier output, unless the parameters already make it false', async () => {
    const dependent = (when: string) => runbook([{ id: 'one', action: 'test.check', with: { name: '${params.first}' } }, { id: 'two', action: 'test.check', when, with: { name: '${params.name}' } }]);
    const refused = world(dependent('${steps.one.outputs.next} == "missing"'));
    expect(await refused.chat.type(ana, 'name=missing')).toEqual({ outcome: 'refused', handles: [] });
    expect(calls).toEqual(['plan a', 'plan missing']);

    const { chat } = world(dependent('${params.name} and ${steps.one.outputs.next} == "missing"'));
    const { outcome } = await chat.type(ana, 'name=');
    expect(outcome).toBe('ok');
    expect(calls).toEqual(['plan a', 'run a']);
  });

  it('plans the first destructive step up front and asks with the plan it checked, taking no lock; a second request for the target is filed too', async () => {
    const { chat, store } = world(runbook([{ id: 'wipe', action: 'test.wipe', with: { name: '${params.name}' } }]));
    const first = await chat.type(ana, 'name=scratch');
    expect(first.outcome).toBe('ok');
    expect(calls).toEqual(['plan wipe scratch']);
    const card = chat.latest(first.handles[0]!);
    expect(card.kind === 'report' && card.title).toBe('Approval needed: tidy');
    expect(await store.lockHolder('test:scratch')).toBeUndefined();

    calls.length = 0;
    const ben = person('ben', ['operator']);
    const second = await chat.type(ben, 'name=scratch');
    expect(second.outcome).toBe('ok');
    expect(calls).toEqual(['plan wipe scratch']);
    expect(chat.privateTexts(ben)).toEqual([expect.stringMatching(/\nAlso pending for test:scratch: request [0-9a-z]{6} by ana since \d\d:\d\d UTC \(tidy: wipe scratch\)\.$/)]);
  });

  it('plans the destructive step afresh once another step has run', async () => {
    const { chat } = world(runbook([{ id: 'one', action: 'test.check', with: { name: '${params.first}' } }, { id: 'wipe', action: 'test.wipe', with: { name: '${params.name}' } }]));
    const { handles } = await chat.type(ana, 'first=fails name=scratch');
    const shown = chat.latest(handles[0]!);
    expect(shown.kind === 'report' && shown.title).toBe('tidy failed at step 1 of 2');

    calls.length = 0;
    const asked = await chat.type(ana, 'name=other');
    expect(calls).toEqual(['plan a', 'plan wipe other', 'run a', 'plan wipe other']);
    const card = chat.latest(asked.handles[0]!);
    expect(card.kind === 'report' && card.title).toBe('Approval needed: tidy');
  });
});
