import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { ProbeFinding } from '../../../core/finding.js';

/** One finding per HorizontalPodAutoscaler: warn when it runs at its maximum and so cannot absorb more load. */
export function autoscalerFindings(namespace: string, autoscalers: V2HorizontalPodAutoscaler[]): ProbeFinding[] {
  return autoscalers.map((hpa) => {
    const name = hpa.metadata?.name ?? '';
    const max = hpa.spec?.maxReplicas ?? 0;
    const min = hpa.spec?.minReplicas ?? 1;
    const current = hpa.status?.currentReplicas ?? 0;
    const desired = hpa.status?.desiredReplicas ?? current;
    const atMax = max > 0 && current >= max;
    const wantsMore = desired > max || hpa.status?.conditions?.some((condition) => condition.type === 'ScalingLimited' && condition.status === 'True' && condition.reason === 'TooManyReplicas');
    const target = hpa.spec?.scaleTargetRef ? `${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}` : 'its target';
    const metrics = (hpa.status?.currentMetrics ?? [])
      .map((metric) => (metric.resource ? `${metric.resource.name} ${metric.resource.current.averageUtilization ?? metric.resource.current.averageValue ?? '?'}${metric.resource.current.averageUtilization !== undefined ? ' %' : ''}` : undefined))
      .filter((text): text is string => text !== undefined);
    return {
      checkId: 'kubernetes.hpa',
      subject: `${namespace}/${name}`,
      status: atMax ? 'warn' : 'ok',
      measure: { value: current, unit: 'count' },
      label: `autoscaler ${namespace}/${name}`,
      text: `${current} of max ${max} replicas (min ${min}) for ${target}${metrics.length > 0 ? ` · ${metrics.join(', ')}` : ''}`,
      threshold: 'warn when the current replicas reach maxReplicas',
      ...(atMax ? { note: `at its maximum${wantsMore ? ' and it wants more' : ''}: it cannot scale further; raise maxReplicas or find the load` } : {}),
    };
  });
}
