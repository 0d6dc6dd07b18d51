import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/problems.js';
import { ActionRegistry } from '../../src/core/action.js';
import { evaluate, ExpressionError, parseExpression } from '../../src/engine/expression.js';
import { loadRunbookCatalog } from '../../src/engine/runbook-catalog.js';
import { waitUntilAction } from '../../src/engine/wait-until.js';
import { dockerContainerActions } from '../../src/systems/docker/actions.js';
import { dockerStatusAction } from '../../src/systems/docker/status-action.js';

const values: Record<string, unknown> = { 'params.n': 3, 'params.name': 'api', 'steps.s.outputs.ok': false, 'steps.s.outputs.skipped': null };
const run = (text: string) => evaluate(parseExpression(text), (path) => values[path]);

describe('when: expressions', () => {
  it('compares numbers, strings, booleans and null, with and, or, not and parentheses', () => {
    expect(run('${params.n} > 2 and ${params.name} == "api"')).toBe(true);
    expect(run("${params.n} >= 4 or ${params.name} != 'api'")).toBe(false);
    expect(run('not ${steps.s.outputs.ok}')).toBe(true);
    expect(run('${steps.s.outputs.skipped} == null and (${params.n} < 3 or true)')).toBe(true);
    expect(run('${steps.s.outputs.ok} == false')).toBe(true);
    expect(run('${steps.s.outputs.skipped} == false')).toBe(false);
  });

  it('refuses what is not the language, naming where', () => {
    const error = (text: string) => {
      try {
        parseExpression(text);
      } catch (caught) {
        return caught instanceof ExpressionError ? `${caught.at}: ${caught.message}` : String(caught);
      }
      return 'parsed';
    };
    expect(error('${params.n} && true')).toBe("12: unexpected '&' (write and, or, not; != compares)");
    expect(error('${params.n} = 3')).toBe("12: unexpected '=' (compare with ==)");
    expect(error('process.exit(1)')).toMatch(/^0: unknown word 'process'/);
    expect(error('(${params.n} > 1')).toBe('16: expected ) but found the end');
    expect(error('1 < 2 < 3')).toBe('6: comparisons do not chain: join them with and');
  });
});

describe('runbooks are checked at start', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const actions = new ActionRegistry().register(dockerStatusAction([]));
  for (const action of dockerContainerActions([])) actions.register(action);
  actions.register(waitUntilAction(actions));

  async function problemsOf(yaml: string): Promise<string[]> {
    dir = await mkdtemp(join(tmpdir(), 'maintbot-runbooks-'));
    await writeFile(join(dir, 'broken.yaml'), yaml);
    try {
      await loadRunbookCatalog(dir, actions);
    } catch (error) {
      if (error instanceof ConfigError) return error.message.split('\n');
      throw error;
    }
    return [];
  }

  it('refuses a bad expression and references to outputs nobody declares, with file:line', async () => {
    const problems = await problemsOf(
      [
        'name: broken',
        'description: every kind of bad reference',
        'params:',
        '  container: { type: string, required: true }',
        'steps:',
        '  - id: status',
        '    action: docker.status',
        '    with: { container: "${params.container}" }',
        '  - id: restart',
        '    action: docker.restart',
        '    when: not ${steps.status.outputs.healthy} &&',
        '    with: { container: "${params.container}" }',
        '  - id: wait',
        '    action: wait.until',
        '    when: ${steps.status.outputs.helthy} or ${steps.later.outputs.ok} or ${steps.nothing.outputs.ok}',
        '    with:',
        '      check: docker.status',
        '      with: { container: "${params.containr}" }',
        '      until: running-ish',
        '  - id: later',
        '    action: docker.status',
        '    with: { container: "${steps.restart.status}" }',
        '',
      ].join('\n'),
    );
    const file = relative(process.cwd(), join(dir!, 'broken.yaml'));
    expect(problems).toEqual([
      `${file}:11 steps[1].when: bad expression at character 37: unexpected '&' (write and, or, not; != compares) (in: not \${steps.status.outputs.healthy} &&)`,
      `${file}:15 steps[2].when: \${steps.status.outputs.helthy}: step 'status' (docker.status) has no output 'helthy' (docker.status outputs: running, healthy, ok, status, health, restarts, exitCode, startedAt) Did you mean healthy?`,
      `${file}:15 steps[2].when: \${steps.later.outputs.ok} refers to step 'later', which comes later: a step can use only the outputs of steps before it`,
      `${file}:15 steps[2].when: \${steps.nothing.outputs.ok} refers to step 'nothing', which does not exist (earlier steps: status, restart)`,
      `${file}:18 steps[2].with.with.container: \${params.containr} refers to an undeclared parameter 'containr' (declared: container) Did you mean container?`,
      `${file}:19 steps[2].with.until: docker.status has no boolean output 'running-ish' (its boolean outputs: running, healthy, ok)`,
      `${file}:22 steps[3].with.container: \${steps.restart.status}: write \${steps.restart.outputs.NAME}`,
    ]);
  });

  it('loads a runbook whose references all name declared parameters and earlier outputs', async () => {
    const problems = await problemsOf(
      [
        'name: fine',
        'description: status then a conditional restart',
        'params: { container: { type: string, required: true } }',
        'steps:',
        '  - { id: status, action: docker.status, with: { container: "${params.container}" } }',
        '  - { id: restart, action: docker.restart, when: "not ${steps.status.outputs.healthy} and ${steps.status.outputs.restarts} < 10", with: { container: "${params.container}" } }',
        '',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
  });
});
