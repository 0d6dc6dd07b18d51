import { describe, expect, it } from 'vitest';
import { dockerTargetSchema } from '../../../../src/systems/docker/probe.js';

describe('targets.docker config entry', () => {
  it('fills safe defaults: local socket, no destructive action allowed, restarts warn at 3 and crit at 10', () => {
    expect(dockerTargetSchema.parse({ name: 'local' })).toEqual({
      name: 'local',
      socket: '/var/run/docker.sock',
      containers: [],
      container_labels: [],
      labels: {},
      allow_actions: [],
      optional: false,
      thresholds: { restarts_warn: 3, restarts_crit: 10 },
    });
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    const result = dockerTargetSchema.safeParse({ name: 'local', allow_action: ['restart'] });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['allow_action'] });
  });

  it('rejects a label without "=", an unknown action and a warn threshold above crit', () => {
    const result = dockerTargetSchema.safeParse({
      name: 'local',
      container_labels: ['com.example.role'],
      allow_actions: ['remove'],
      thresholds: { restarts_warn: 20, restarts_crit: 10 },
    });

    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['container_labels.0', 'allow_actions.0', 'thresholds']);
    expect(result.error?.issues[0]?.message).toBe('expected a label as "key=value"');
  });

  it('explains where container selectors went when labels is given as a list', () => {
    const result = dockerTargetSchema.safeParse({ name: 'local', labels: ['app=web'] });

    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]).toMatchObject({ path: ['labels'], message: expect.stringContaining('container_labels') });
  });

  it('takes labels as target labels for alert matchers', () => {
    expect(dockerTargetSchema.parse({ name: 'local', labels: { team: 'payments' } }).labels).toEqual({ team: 'payments' });
  });
});
