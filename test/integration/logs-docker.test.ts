import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import type { Notice } from '../../src/core/report.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { renderText } from '../../src/render/text.js';
import { renderDiscordMessages } from '../../src/chat/discord/embeds.js';
import { renderSlackMessages } from '../../src/chat/slack/blocks.js';
import { dockerTargetSchema } from '../../src/systems/docker/probe.js';
import { dockerSystem } from '../../src/systems/docker/index.js';
import { actionContext } from '../support/action-context.js';
import { expectWithinDiscordLimits, expectWithinSlackLimits } from '../support/chat-limits.js';
import { dockerClient, removeTestContainers, startTestContainer } from '../support/docker.js';
import { MemoryAudit } from '../support/memory-audit.js';
import { eventually } from '../support/services.js';
import { person, TestChat } from '../support/test-chat.js';

const prefix = `maintbot-test-logs-${randomBytes(3).toString('hex')}-`;
const noisy = `${prefix}api`;
const terminal = `${prefix}tty`;
const unlisted = `${prefix}unlisted`;
const chatty = `${prefix}chatty`;
const endMarker = 'END-OF-TEST-LINES';
const backtracking = `${'a'.repeat(40)}!`;

const script = [
  `echo "2026-12-01 10:00:00 INFO service starting on port 8080"`,
  `echo "2026-12-01 10:00:01 ERROR connection refused to 10.0.0.7:5432 after 3 tries"`,
  `echo "2026-12-01 10:00:02 ERROR connection refused to 10.0.0.8:5432 after 4 tries"`,
  `echo "2026-12-01 10:00:03 ERROR connection refused to 10.0.0.9:5432 after 5 tries"`,
  `echo "2026-12-01 10:00:04 ERROR slack call failed with token xoxb-1111-2222-abcdEFGH"`,
  `echo 'level=error msg="login failed" url=postgres://app:s3cr3t-pw@db:5432/app password=hunter2' >&2`,
  `echo "2026-12-01 10:00:05 WARN slow request took 2300 ms" >&2`,
  `echo "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature"`,
  `echo "${backtracking}"`,
  `echo ${endMarker}`,
].join('; ');

const viewer = person('vera', ['viewer']);
let app: App;
let chat: TestChat;

async function outputOf(name: string): Promise<string> {
  return (await dockerClient().getContainer(name).logs({ stdout: true, stderr: true, follow: false })).toString();
}

beforeAll(async () => {
  await removeTestContainers(prefix);
  await Promise.all([
    startTestContainer({ name: noisy, cmd: ['sh', '-c', `${script}; trap "exit 0" TERM; sleep 3600 & wait`] }),
    startTestContainer({ name: terminal, tty: true, cmd: ['sh', '-c', `echo "ERROR from a terminal"; echo ${endMarker}; trap "exit 0" TERM; sleep 3600 & wait`] }),
    startTestContainer({ name: unlisted }),
    startTestContainer({
      name: chatty,
      cmd: ['sh', '-c', `i=0; while [ $i -lt 400 ]; do echo "ERROR request $i failed: ${'x'.repeat(180)}"; i=$((i+1)); done; echo ${endMarker}; trap "exit 0" TERM; sleep 3600 & wait`],
    }),
  ]);
  await eventually('the containers wrote their lines', async () =>
    (await Promise.all([noisy, terminal, chatty].map(outputOf))).every((output) => output.includes(endMarker)),
  );
  const config = configSchema.parse({ targets: { docker: [{ name: 'app', containers: [noisy, terminal, chatty] }] } });
  app = await buildApp(config, createLogger({ level: 'silent', pretty: false }), { audit: new MemoryAudit() });
  chat = new TestChat(() => app.router);
});

afterAll(async () => {
  await app?.close();
  await removeTestContainers(prefix);
});

describe('/maint logs on a Docker container', () => {
  it('answers privately with the counts by level, the repeated error grouped, stderr lines included and secrets masked', async () => {
    const before = chat.messages.size;
    const { outcome } = await chat.type(viewer, `/maint logs ${noisy}`);
    expect(outcome).toBe('ok');
    expect(chat.messages.size).toBe(before);
    const answer = chat.lastPrivateNotice(viewer);
    const text = renderText(answer);

    expect(answer.text).toContain(`Logs of container ${noisy} on Docker target app, the last 15 min: 10 lines`);
    expect(answer.text).toContain('By level: ERROR 5 · WARN 1 · INFO 1 · no level 3; 2 on standard error.');
    expect(answer.text).toContain('Most repeated errors:\n  3× connection refused to <ip> after <n> tries\n');
    expect(answer.preformatted).toContain('E level=error msg="login failed"');
    expect(answer.preformatted).toContain('E 2026-12-01 10:00:05 WARN slow request');
    expect(answer.preformatted).toContain(endMarker);
    for (const secret of ['xoxb-1111', 's3cr3t-pw', 'hunter2', 'eyJhbGciOiJIUzI1NiJ9']) expect(text).not.toContain(secret);
    expect(text).toContain('postgres://app:***@db:5432/app password=***');
    expect(text).toContain('Authorization: Bearer ***');
  });

  it('keeps only the lines --grep matches, and --lines shows the last of them', async () => {
    await chat.type(viewer, `/maint logs ${noisy} --grep "REFUSED|slow" --lines 2`);
    const all = chat.lastPrivateNotice(viewer);
    expect(all.text).toContain('matching /REFUSED|slow/i: 4 lines');
    expect(all.text).toContain('By level: ERROR 3 · WARN 1; 1 on standard error.');

    await chat.type(viewer, `/maint logs ${noisy} --grep refused --lines 2`);
    const answer = chat.lastPrivateNotice(viewer);
    expect(answer.text).toContain('Last 2 lines of 3');
    expect(answer.preformatted!.split('\n')).toEqual([
      expect.stringContaining('ERROR connection refused to 10.0.0.8:5432 after 4 tries'),
      expect.stringContaining('ERROR connection refused to 10.0.0.9:5432 after 5 tries'),
    ]);
  });

  it('stops a pattern that backtracks catastrophically and says why', async () => {
    const { outcome } = await chat.type(viewer, `/maint logs ${noisy} --grep "^(a+)+$"`);
    expect(outcome).toBe('failed');
    expect(renderText(chat.lastPrivate(viewer))).toContain('The --grep pattern "^(a+)+$" was stopped after 1 s over 10 lines: it backtracks too much');
  });

  it('refuses an invalid pattern before reading anything', async () => {
    const { outcome } = await chat.type(viewer, `/maint logs ${noisy} --grep "(unclosed"`);
    expect(outcome).toBe('refused');
    expect(chat.privateTexts(viewer).at(-1)).toContain('The --grep pattern is not a valid regular expression');
  });

  it('posts in the channel with --here', async () => {
    const { handles } = await chat.type(viewer, `/maint logs ${noisy} --here --lines 1`);
    expect(handles).toHaveLength(1);
    const posted = chat.latest(handles[0]!) as Notice;
    expect(posted.kind).toBe('notice');
    expect(posted.text).toContain('By level: ERROR 5');
    expect(posted.text).toContain('Last 1 line of 10');
    expect(posted.preformatted!.split('\n')).toHaveLength(1);
  });

  it('reads a TTY container, whose output is not multiplexed, as standard output', async () => {
    await chat.type(viewer, `/maint logs ${terminal}`);
    const answer = chat.lastPrivateNotice(viewer);
    expect(answer.text).toContain('2 lines');
    expect(answer.text).toContain('By level: ERROR 1 · no level 1; 0 on standard error.');
    expect(answer.preformatted).toMatch(/^\d{2}:\d{2}:\d{2} {3}ERROR from a terminal$/m);
  });

  it('refuses --container, which only a Kubernetes pod has, and a target without logs', async () => {
    expect((await chat.type(viewer, `/maint logs ${noisy} --container web`)).outcome).toBe('refused');
    expect(chat.privateTexts(viewer).at(-1)).toBe('--container names a container inside a Kubernetes pod; a Docker container has none. Leave it out.');
    expect((await chat.type(viewer, `/maint logs ${noisy} --target nope`)).outcome).toBe('refused');
    expect(chat.privateTexts(viewer).at(-1)).toBe('No target with logs is named "nope". Targets with logs: app (docker).');
  });

  it('refuses a container the target does not name, listing those it does', async () => {
    const { outcome } = await chat.type(viewer, `/maint logs ${unlisted}`);
    expect(outcome).toBe('refused');
    expect(chat.privateTexts(viewer).at(-1)).toContain(`Container "${unlisted}" is not one that Docker target app names`);
  });

  it('shows the newest of many long lines within Slack and Discord limits', async () => {
    await chat.type(viewer, `/maint logs ${chatty} --lines 500`);
    const answer = chat.lastPrivateNotice(viewer);
    expect(answer.text).toContain('401 lines');
    expect(answer.text).toContain('Most repeated errors:\n  400× request <n> failed: xxxx');
    expect(answer.text).toMatch(/Last \d+ lines \(\d+ more of the asked-for lines do not fit one message\)/);
    expect(answer.preformatted!.split('\n').at(-1)).toContain(endMarker);
    for (const body of renderSlackMessages(answer)) expectWithinSlackLimits(body);
    for (const body of renderDiscordMessages(answer)) {
      expectWithinDiscordLimits(body);
      expect(JSON.stringify(body)).toContain(endMarker);
    }
  });
});

describe('docker.logs for runbooks', () => {
  it('outputs the counts by level, the top errors and the masked last lines', async () => {
    const target = dockerTargetSchema.parse({ name: 'app', containers: [noisy] });
    const action = dockerSystem.actions!([target], { containers: () => undefined, containerTargets: () => [], restoreTestLog: () => undefined }).find((candidate) => candidate.name === 'docker.logs')!;
    const input = action.inputs.parse({ name: noisy, lines: 3 });
    expect((await action.plan(input, actionContext())).summary).toBe(`read the logs of container ${noisy} on Docker target app from the last 15 min, read-only`);
    const { output } = await action.run(input, actionContext());
    expect(output).toMatchObject({
      total: 10,
      errors: 5,
      warnings: 1,
      stderr: 2,
      levels: { fatal: 0, critical: 0, error: 5, warn: 1, info: 1, debug: 0 },
    });
    expect((output!.top_errors as unknown[])[0]).toEqual({ message: 'connection refused to <ip> after <n> tries', count: 3 });
    expect(output!.last_lines).toHaveLength(3);
    expect(JSON.stringify(output)).not.toMatch(/xoxb-1111|hunter2|s3cr3t-pw/);
  });
});
