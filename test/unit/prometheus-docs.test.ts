import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { projectRoot } from '../../src/config/load.js';
import { PrometheusMetrics } from '../../src/observability/prometheus-metrics.js';
import { useTempDir, writeText } from '../support/temp.js';

const run = promisify(execFile);
const tempDir = useTempDir();
const rulesPath = join(projectRoot, 'docs/prometheus/alerts.yaml');
const dashboardPath = join(projectRoot, 'docs/grafana/maintbot.json');

interface RuleFile {
  groups: { name: string; rules: { alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}

interface Dashboard {
  title: string;
  uid: string;
  schemaVersion: number;
  panels: { id: number; title: string; type: string; targets: { refId: string; expr: string }[] }[];
}

async function rules(): Promise<RuleFile> {
  return parse(await readFile(rulesPath, 'utf8')) as RuleFile;
}

async function dashboard(): Promise<Dashboard> {
  return JSON.parse(await readFile(dashboardPath, 'utf8')) as Dashboard;
}

/** The metric names an expression reads: maintbot's own and prom-client's process and Node.js ones (`up` is Prometheus's). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(?:maintbot|process|nodejs)_[a-z0-9_]+\b/g)].map((match) => match[0].replace(/_(bucket|sum|count)$/, ''));
}

describe('docs/prometheus and docs/grafana', () => {
  it('the alert rules pass promtool check rules, each with a severity maintbot maps and a summary', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', rulesPath]);
    const file = await rules();
    const alerts = file.groups.flatMap((group) => group.rules);
    expect(stdout).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(alerts.map((rule) => rule.alert)).toEqual(expect.arrayContaining(['MaintbotDown', 'MaintbotSlowAcks', 'MaintbotRunbooksFailing', 'MaintbotRestoreTestStale', 'MaintbotStoreDown']));
    for (const rule of alerts) {
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
    }
  });

  it('the example Prometheus config loads the rules file beside it, and the example Alertmanager config is valid', async () => {
    const { stdout } = await run('promtool', ['check', 'config', join(projectRoot, 'docs/prometheus/prometheus.yml')]);
    expect(stdout).toContain('SUCCESS: 1 rule files found');
    const checked = await run('amtool', ['check-config', join(projectRoot, 'docs/prometheus/alertmanager.yml')]);
    expect(checked.stdout).toContain('SUCCESS');
  });

  it('every dashboard query is valid PromQL (checked by promtool as recording rules)', async () => {
    const { panels } = await dashboard();
    const queries = panels.flatMap((panel) => panel.targets.map((target) => target.expr.replaceAll('$instance', '.*')));
    expect(queries.length).toBeGreaterThanOrEqual(panels.length);
    const file = await writeText(await tempDir(), 'dashboard-rules.yaml', stringify({ groups: [{ name: 'dashboard', rules: queries.map((expr, index) => ({ record: `dashboard:query_${index}`, expr })) }] }));
    const { stdout } = await run('promtool', ['check', 'rules', file]);
    expect(stdout).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  it('every metric the dashboard and the rules read is one maintbot exports', async () => {
    const exported = new Set((await new PrometheusMetrics().registry.getMetricsAsJSON()).map((metric) => metric.name));
    const { panels } = await dashboard();
    const used = new Set([...(await rules()).groups.flatMap((group) => group.rules.map((rule) => rule.expr)), ...panels.flatMap((panel) => panel.targets.map((target) => target.expr))].flatMap(metricNames));
    expect(used.size).toBeGreaterThanOrEqual(10);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });
});
