import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot, runNpmStart } from '../support/run-bot.js';
import { useTempDir, writeText } from '../support/temp.js';

const tempDir = useTempDir();

/** No chat platform's credentials, whatever the machine running the tests has exported. */
const noChatCredentials = { SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', DISCORD_TOKEN: '', DISCORD_APPLICATION_ID: '', MAINTBOT_CONFIG: '' };

/** `npm start -- --config <file>` on a config with this text, as a user starts it; standard input ends at once. */
async function startWith(text: string): Promise<{ path: string; code: number | null; stderr: string; stdout: string }> {
  const path = await writeText(await tempDir(), 'prod.yaml', text);
  const run = await runNpmStart([], { args: ['--config', path], env: noChatCredentials, timeoutMs: 60_000 });
  return { path, ...run };
}

/** The problem lines of a refused start, without the heading. */
function problemLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.trim());
}

describe('a start on a broken config exits 2 and says where and what to do', () => {
  it('refuses an empty file (only comments and blank lines) at line 1', async () => {
    const run = await startWith('# our production config\n\n   \n# to be written\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('maintbot: cannot start, 1 problem in the configuration:');
    expect(problemLines(run.stderr)).toEqual([
      `${run.path}:1: the file is empty: write at least the settings you change (every key is in config/example.yaml), or start without --config and MAINTBOT_CONFIG to use the embedded config/default.yaml`,
    ]);
  });

  it('reports an unclosed quote at the line where it opens, not where the parser gave up', async () => {
    const run = await startWith(['log:', '  level: "info', 'health:', '  timeout_ms: 3000', 'store: {}', ''].join('\n'));
    expect(run.code).toBe(2);
    expect(problemLines(run.stderr)).toEqual([`${run.path}:2: YAML syntax: Missing closing "quote (a quote opened here is never closed)`]);
  });

  it('reports an unclosed [ at the line where it opens', async () => {
    const run = await startWith(['log:', '  level: info', 'approvals:', '  approver_roles: [operator, admin', '  required: 1', ''].join('\n'));
    expect(run.code).toBe(2);
    expect(problemLines(run.stderr)).toEqual([expect.stringMatching(new RegExp(`^${escape(run.path)}:4: YAML syntax: .*\\(a \\[ opened here is never closed\\)$`))]);
  });

  it('refuses a rule under approvals.rules that names no runbook, with a did-you-mean, together with the other problems', async () => {
    const run = await startWith(
      [
        'chat:',
        '  console: { enabled: auto }',
        'approvals:',
        '  rules:',
        '    restrat:',
        '      required: 2',
        '    nightly-magic: { required: 1 }',
        'health:',
        '  timeout_ms: soon',
        '',
      ].join('\n'),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('maintbot: cannot start, 3 problems in the configuration:');
    expect(problemLines(run.stderr)).toEqual([
      `${run.path}:5 approvals.rules.restrat: no runbook is named 'restrat', so this rule would never apply (did you mean 'restart'?)`,
      expect.stringMatching(new RegExp(`^${escape(run.path)}:7 approvals\\.rules\\.nightly-magic: no runbook is named 'nightly-magic', so this rule would never apply \\(the runbooks are: (?:[a-z-]+, )*backup, backups, (?:[a-z-]+, )*health, .*vacuum\\)$`)),
      expect.stringMatching(new RegExp(`^${escape(run.path)}:9 health\\.timeout_ms: expected number`)),
    ]);
  });

  it('refuses out-of-range cron steps field by field: */61 minutes, */100 seconds, */25 hours', async () => {
    const schedule = (name: string, cron: string): string[] => [`  - name: ${name}`, `    cron: "${cron}"`, '    run: { report: morning }'];
    const run = await startWith(['schedules:', ...schedule('minutes', '*/61 * * * *'), ...schedule('seconds', '*/100 * * * * *'), ...schedule('hours', '0 */25 * * *'), ''].join('\n'));
    expect(run.code).toBe(2);
    expect(problemLines(run.stderr)).toEqual([
      `${run.path}:3 schedules[0].cron: not a cron expression (minute '*/61': the step must be a number from 1 to 60, not '61'), e.g. "0 9 * * 1-5"`,
      `${run.path}:6 schedules[1].cron: not a cron expression (second '*/100': the step must be a number from 1 to 60, not '100'), e.g. "0 9 * * 1-5"`,
      `${run.path}:9 schedules[2].cron: not a cron expression (hour '*/25': the step must be a number from 1 to 24, not '25'), e.g. "0 9 * * 1-5"`,
    ]);
  });

  it('refuses a start with no chat at all, saying how to turn one on or to declare it headless', async () => {
    const run = await startWith(['log: { level: info }', 'chat:', '  console: { enabled: "off" }', ''].join('\n'));
    expect(run.code).toBe(2);
    expect(problemLines(run.stderr)).toEqual([
      `${run.path}:3 chat.console.enabled: no chat would start. Turn one on: for Slack export SLACK_BOT_TOKEN and SLACK_APP_TOKEN (docs/connect-slack.md); for Discord export DISCORD_TOKEN and DISCORD_APPLICATION_ID (docs/connect-discord.md); for the terminal chat set chat.console.enabled: auto. Or set chat.headless: true to run only the schedules and the endpoints`,
    ]);
  });
});

describe('a start with chat.headless: true', () => {
  it('runs with no chat and serves its endpoints until it is stopped, then exits 0', async () => {
    const audit = `${await tempDir()}/audit.jsonl`;
    const path = await writeText(
      await tempDir(),
      'headless.yaml',
      ['log: { level: info, format: json }', 'chat:', '  headless: true', '  console: { enabled: "off" }', 'observability: { host: 127.0.0.1, port: 0 }', `audit: { file: "${audit}" }`, 'schedules: []', 'targets: {}', ''].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', path], { cwd: repoRoot, env: { ...process.env, ...noChatCredentials }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const started = new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('"msg":"maintbot started"')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await Promise.race([started, exited.then(() => Promise.reject(new Error(`exited before starting:\n${stderr}`)))]);
    const startedLine = JSON.parse(stderr.split('\n').find((line) => line.includes('"msg":"maintbot started"'))!) as { chats: unknown; observabilityPort: number };
    expect(startedLine.chats).toEqual({ slack: false, discord: false, console: false });
    const health = await fetch(`http://127.0.0.1:${startedLine.observabilityPort}/healthz`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
