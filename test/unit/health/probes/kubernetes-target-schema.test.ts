import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/load.js';
import { kubernetesTargetSchema } from '../../../../src/systems/kubernetes/target.js';
import { useTempDir, writeText } from '../../../support/temp.js';

const tempDir = useTempDir();

describe('targets.kubernetes config entry', () => {
  it('fills safe defaults: the kubeconfig of the environment, nothing changed, nodes checked, the guide thresholds', () => {
    expect(kubernetesTargetSchema.parse({ name: 'hotel' })).toEqual({
      name: 'hotel',
      in_cluster: false,
      service_account_dir: '/var/run/secrets/kubernetes.io/serviceaccount',
      namespaces: [],
      deployments: [],
      allow_actions: [],
      scale: { min: 1, max: 10, deployments: {} },
      nodes: true,
      rollout_poll_interval: '2s',
      optional: false,
      labels: {},
      thresholds: {
        restarts_warn: 3,
        restarts_crit: 10,
        restart_window: '1h',
        pending_warn: '5m',
        pending_crit: '15m',
        events_window: '30m',
        events_warn: 1,
        events_crit: 50,
        certificate_warn_days: 21,
        certificate_crit_days: 7,
      },
    });
  });

  it('names every problem of a bad entry with its file and line', async () => {
    const file = await writeText(
      await tempDir(),
      'bad.yaml',
      [
        'targets:',
        '  kubernetes:',
        '    - name: hotel',
        '      namespaces: [Hotel_Bot]',
        '      allow_actions: [delete]',
        '      scale: { min: 5, max: 2 }',
        '      thresholds: { pending_warn: 20m, pending_crit: 10m, restart_window: soon }',
        '      kubeconfg: /etc/kube',
        '',
      ].join('\n'),
    );
    const error = await loadConfig(file, {}).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    const text = error?.message ?? '';
    expect(text).toMatch(/bad\.yaml:4 .*namespaces.*expected a Kubernetes name/);
    expect(text).toMatch(/bad\.yaml:5 .*allow_actions.*rollout-restart.*scale/);
    expect(text).toMatch(/bad\.yaml:6 .*min must not exceed max/);
    expect(text).toMatch(/bad\.yaml:7 .*restart_window.*expected a duration/);
    expect(text).toMatch(/kubeconfg/);
  });
});
