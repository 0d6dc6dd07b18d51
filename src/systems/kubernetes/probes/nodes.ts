import type { V1Node } from '@kubernetes/client-node';
import type { ProbeFinding } from '../../../core/finding.js';
import { oneLine } from './pods.js';

const pressures = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;
const threshold = 'crit when a node is not Ready; warn under MemoryPressure, DiskPressure or PIDPressure';

/** A count of the cluster's nodes, and one finding per node that is not Ready or is under pressure. */
export function nodeFindings(nodes: V1Node[]): ProbeFinding[] {
  const problems = nodes.flatMap((node): ProbeFinding[] => {
    const name = node.metadata?.name ?? '';
    const conditions = node.status?.conditions ?? [];
    const ready = conditions.find((condition) => condition.type === 'Ready');
    const pressed = conditions.filter((condition) => (pressures as readonly string[]).includes(condition.type) && condition.status === 'True');
    const notReady = ready?.status !== 'True';
    if (!notReady && pressed.length === 0) return [];
    const why = [
      ...(notReady ? [`NotReady (${ready?.reason ?? 'no Ready condition'}${ready?.message ? `: ${oneLine(ready.message)}` : ''}): its pods are not served and will be evicted`] : []),
      ...pressed.map((condition) => `${condition.type}: ${oneLine(condition.message ?? condition.reason ?? '')}; the kubelet evicts pods until it eases`),
    ];
    const unschedulable = node.spec?.unschedulable ? ' · cordoned' : '';
    return [
      {
        checkId: 'kubernetes.node',
        subject: name,
        status: notReady ? 'crit' : 'warn',
        label: `node ${name}`,
        text: [notReady ? 'NotReady' : 'Ready', ...pressed.map((condition) => condition.type)].join(', ') + unschedulable,
        threshold,
        note: why.join('; '),
      },
    ];
  });
  const notReady = problems.filter((problem) => problem.status === 'crit').length;
  return [
    {
      checkId: 'kubernetes.nodes',
      status: notReady > 0 ? 'crit' : problems.length > 0 ? 'warn' : 'ok',
      measure: { value: nodes.length - notReady, unit: 'count' },
      label: 'nodes',
      text: `${nodes.length - notReady} of ${nodes.length} Ready${problems.length > notReady ? `, ${problems.length - notReady} under pressure` : ''}`,
      threshold,
    },
    ...problems,
  ];
}
