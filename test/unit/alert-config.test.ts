import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem } from '../../src/config/problems.js';
import { configSchema } from '../../src/config/schema.js';
import { parseYamlText } from '../../src/config/yaml-file.js';

function problems(text: string): string[] {
  try {
    parseYamlText(text, configSchema, { displayName: 'ops.yaml' });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

describe('schedules and alerts in the config', () => {
  it('names the line of a bad cron expression, time zone or quiet hours', () => {
    const text = [
      'schedules:',
      '  - name: morning',
      '    cron: "61 9 * * *"',
      '    timezone: Europe/Atlantis',
      '    run: { report: morning }',
      '    channels:',
      '      - { platform: slack, id: C0OPS, quiet_hours: { from: "22:00", to: "7am" } }',
      'alerts: { hold_runs: 0 }',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      expect.stringMatching(/^ops\.yaml:3 schedules\[0\]\.cron: not a cron expression \(minute '61': 61 is outside 0–59\)/),
      'ops.yaml:4 schedules[0].timezone: expected an IANA time zone such as Europe/Berlin or UTC',
      'ops.yaml:7 schedules[0].channels[0].quiet_hours.to: expected a time of day such as 22:00',
      expect.stringMatching(/^ops\.yaml:8 alerts\.hold_runs: /),
    ]);
  });

  it('keeps accepting names, L, #, nicknames, seconds and the largest meaningful steps', () => {
    const accepted = ['0 9 * * MON-FRI', '0 9 L * *', '0 9 * * 5#2', '@daily', '*/10 * * * * *', '*/60 * * * *', '0 */24 * * *', '0 0 1 */12 *', '0 9 * * 7', '0-30/15 8-18 * * 1-5'];
    const text = ['schedules:', ...accepted.flatMap((cron, index) => [`  - name: s${index}`, `    cron: "${cron}"`, '    run: { report: morning }']), ''].join('\n');
    expect(problems(text)).toEqual([]);
  });

  it('names the field and the range of a number or step out of it', () => {
    const refused = ['0 9 32 * *', '0 0 0 0 0', '*/0 * * * *', '1-70 * * * *', '0 0 * * 1-5/2/3'];
    const text = ['schedules:', ...refused.flatMap((cron, index) => [`  - name: s${index}`, `    cron: "${cron}"`, '    run: { report: morning }']), ''].join('\n');
    expect(problems(text)).toEqual([
      `ops.yaml:3 schedules[0].cron: not a cron expression (day of month '32': 32 is outside 1–31), e.g. "0 9 * * 1-5"`,
      `ops.yaml:6 schedules[1].cron: not a cron expression (day of month '0': 0 is outside 1–31; month '0': 0 is outside 1–12), e.g. "0 9 * * 1-5"`,
      `ops.yaml:9 schedules[2].cron: not a cron expression (minute '*/0': the step must be a number from 1 to 60, not '0'), e.g. "0 9 * * 1-5"`,
      `ops.yaml:12 schedules[3].cron: not a cron expression (minute '1-70': 70 is outside 0–59), e.g. "0 9 * * 1-5"`,
      `ops.yaml:15 schedules[4].cron: not a cron expression (day of week '1-5/2/3': only one step (/N) is allowed), e.g. "0 9 * * 1-5"`,
    ]);
  });

  it('says what croner refuses: the field count, a name, a step without a range, a date that never comes', () => {
    const refused = ['0 9 * *', '0 0 9 * * * 2027', '0 9 * * FUNDAY', '5/5 * * * *', '0 0 31 2 *', '0 0 * * 8'];
    const text = ['schedules:', ...refused.flatMap((cron, index) => [`  - name: s${index}`, `    cron: "${cron}"`, '    run: { report: morning }']), ''].join('\n');
    expect(problems(text)).toEqual([
      `ops.yaml:3 schedules[0].cron: not a cron expression (expected 5 fields, or 6 with seconds first, not 4), e.g. "0 9 * * 1-5"`,
      `ops.yaml:6 schedules[1].cron: not a cron expression (expected 5 fields, or 6 with seconds first, not 7), e.g. "0 9 * * 1-5"`,
      `ops.yaml:9 schedules[2].cron: not a cron expression (day of week 'FUNDAY': a name or character cron does not know), e.g. "0 9 * * 1-5"`,
      `ops.yaml:12 schedules[3].cron: not a cron expression (stepping with numeric prefix ('5/5') is not allowed. Use wildcard (*/step) or range (min-max/step) instead), e.g. "0 9 * * 1-5"`,
      `ops.yaml:15 schedules[4].cron: not a cron expression (no date ever matches it), e.g. "0 9 * * 1-5"`,
      `ops.yaml:18 schedules[5].cron: not a cron expression (day of week '8': 8 is outside 0–7), e.g. "0 9 * * 1-5"`,
    ]);
  });

  it('defaults to the morning report at 09:00, health alerts every 5 minutes, daily backup verification and a Friday restore test', () => {
    const config = configSchema.parse({});
    expect(config.schedules.map((schedule) => [schedule.name, schedule.cron])).toEqual([
      ['morning-report', '0 9 * * *'],
      ['health-alerts', '*/5 * * * *'],
      ['backup-verification', '30 6 * * *'],
      ['restore-test', '0 7 * * 5'],
    ]);
    expect(config.alerts).toEqual({ hold_runs: 2, renotify_after: '4h', snooze_default: '1h', group_wait: '0s', inhibit: [], silence_max: '7d', routes: [] });
  });

  it('reads group_wait and inhibit rules, and names the line of a bad matcher or label name in a rule', () => {
    const good = parseYamlText(
      ['alerts:', '  group_wait: 2m', '  inhibit:', '    - { source: { target: db-host, check: reachable }, target: ["host=db-host"], equal: [env] }', ''].join('\n'),
      configSchema,
      { displayName: 'ops.yaml' },
    );
    expect(good.alerts.group_wait).toBe('2m');
    expect(good.alerts.inhibit).toEqual([
      {
        source: [
          { name: 'target', operator: '=', value: 'db-host' },
          { name: 'check', operator: '=', value: 'reachable' },
        ],
        target: [{ name: 'host', operator: '=', value: 'db-host' }],
        equal: ['env'],
      },
    ]);
    const text = ['alerts:', '  group_wait: soon', '  inhibit:', '    - source: ["team=~(pay"]', '      target: ["host db-host"]', '      equal: ["not a label"]', ''].join('\n');
    expect(problems(text)).toEqual([
      expect.stringMatching(/^ops\.yaml:2 alerts\.group_wait: expected a duration/),
      expect.stringMatching(/^ops\.yaml:4 alerts\.inhibit\[0\]\.source\[0\]: "team=~\(pay": /),
      expect.stringMatching(/^ops\.yaml:5 alerts\.inhibit\[0\]\.target\[0\]: "host db-host" is not a matcher/),
      expect.stringMatching(/^ops\.yaml:6 alerts\.inhibit\[0\]\.equal\[0\]: expected a label name/),
    ]);
  });
});

describe('maintenance windows in the config', () => {
  it('names the line of a bad cron, duration, matcher or time zone, and of a name used twice', () => {
    const text = [
      'maintenance_windows:',
      '  - name: db-upgrade',
      '    cron: "0 25 * * *"',
      '    duration: 8d',
      '    matchers: [host=db-host, "team=~("]',
      '    channels: [{ platform: slack, id: C0OPS }]',
      '  - name: db-upgrade',
      '    cron: "0 2 * * 0"',
      '    timezone: Mars/Olympus',
      '    duration: soon',
      '    matchers: []',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      expect.stringMatching(/^ops\.yaml:3 maintenance_windows\[0\]\.cron: not a cron expression \(hour '25': 25 is outside 0–23\)/),
      'ops.yaml:4 maintenance_windows[0].duration: a maintenance window lasts from 1s to 7d',
      expect.stringMatching(/^ops\.yaml:5 maintenance_windows\[0\]\.matchers\[1\]: "team=~\(": Invalid regular expression/),
      'ops.yaml:9 maintenance_windows[1].timezone: expected an IANA time zone such as Europe/Berlin or UTC',
      'ops.yaml:10 maintenance_windows[1].duration: expected a duration such as 30m, 2h or 1d',
      'ops.yaml:11 maintenance_windows[1].matchers: name at least one matcher, e.g. [host=db-host]',
    ]);
    const twice = ['maintenance_windows:', '  - { name: db-upgrade, cron: "0 2 * * 0", duration: 1h, matchers: [host=db-host] }', '  - { name: db-upgrade, cron: "0 3 * * 0", duration: 1h, matchers: [host=db-host] }', ''].join('\n');
    expect(problems(twice)).toEqual(['ops.yaml:3 maintenance_windows[1].name: maintenance window name "db-upgrade" is used twice']);
  });

  it('takes matchers as a list or a map of exact values', () => {
    const text = ['maintenance_windows:', '  - { name: a, cron: "0 2 * * 0", duration: 1h, matchers: { host: db-host } }', '  - { name: b, cron: "0 3 * * 0", duration: 30m, matchers: ["env=~prod|staging"] }', ''].join('\n');
    const config = parseYamlText(text, configSchema, { displayName: 'ops.yaml' });
    expect(config.maintenance_windows.map((window) => window.matchers.map(({ name, operator, value }) => `${name}${operator}${value}`))).toEqual([['host=db-host'], ['env=~prod|staging']]);
  });
});
