import { describe, expect, it } from 'vitest';
import type { AnyActionDefinition } from '../../src/core/action.js';
import { UserError } from '../../src/core/errors.js';
import { configSchema } from '../../src/config/schema.js';
import { shippedSystems } from '../../src/systems/index.js';
import { SystemRegistry } from '../../src/systems/registry.js';
import { actionContext } from '../support/action-context.js';

function verb(targets: Record<string, unknown>, name: string): AnyActionDefinition {
  const action = new SystemRegistry(shippedSystems, configSchema.parse({ targets }).targets).actions().find((candidate) => candidate.name === name);
  if (!action) throw new Error(`no action ${name}`);
  return action;
}

describe('an action named by its verb alone', () => {
  it('says which systems could do it when no target of theirs is configured', async () => {
    const analyze = verb({}, 'analyze');
    await expect(analyze.plan(analyze.inputs.parse({ table: 'orders' }), actionContext())).rejects.toThrow(new UserError('No target can analyze: configure a postgres or mysql target.', 'Config: targets.postgres[] or targets.mysql[] in the bot config.'));
  });

  it('is as destructive as the chosen system says for these inputs', () => {
    const targets = { postgres: [{ name: 'shop-db', url: 'postgres://127.0.0.1:1/shop' }], mysql: [{ name: 'appointments-db', url: 'mysql://127.0.0.1:1/appointments' }] };
    const terminate = verb(targets, 'terminate');
    const analyze = verb(targets, 'analyze');
    const decide = (action: AnyActionDefinition, input: Record<string, unknown>) => (action.destructive as (input: unknown) => boolean)(action.inputs.parse(input));
    expect(decide(terminate, { target: 'appointments-db' })).toBe(true);
    expect(decide(terminate, { target: 'shop-db' })).toBe(true);
    expect(decide(analyze, { target: 'appointments-db', table: 'x' })).toBe(false);
    expect(() => decide(analyze, { table: 'x' })).toThrow('Several targets can analyze; name one with --target: shop-db (postgres), appointments-db (mysql).');
  });

  it('is not offered for a verb only one system has', () => {
    const names = new SystemRegistry(shippedSystems, configSchema.parse({ targets: {} }).targets).actions().map((action) => action.name);
    expect(names).toContain('mysql.optimize');
    expect(names).not.toContain('optimize');
    expect(names).not.toContain('vacuum');
  });
});
