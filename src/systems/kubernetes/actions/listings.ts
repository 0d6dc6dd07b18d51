import { z } from 'zod';
import type { ActionDefinition } from '../../../core/action.js';
import { parseDuration } from '../../../core/duration.js';
import type { Report, ReportLine, ReportSection } from '../../../core/report.js';
import { compareStatus, worstStatus } from '../../../core/status.js';
import { formatSeconds } from '../../../render/units.js';
import { describeGroup, groupEvents } from '../probes/events.js';
import { judgePod } from '../probes/pods.js';
import { namespacesFor, optionalText, type KubernetesTargets } from './targets.js';

const podsInputs = z.object({ target: optionalText, namespace: optionalText });

/** `kubernetes.pods`: the pods of the watched namespaces (or one), problems first, each with its state, readiness, restarts and age. */
export function podsAction(clusters: KubernetesTargets): ActionDefinition<z.output<typeof podsInputs>> {
  return {
    name: 'kubernetes.pods',
    destructive: false,
    inputs: podsInputs,
    async plan(input) {
      const { target } = clusters.resolve(input.target);
      return { summary: `list the pods of ${input.namespace ?? 'the watched namespaces'} on Kubernetes target ${target.name}`, detail: [] };
    },
    async run(input, context) {
      const { target, cluster } = clusters.resolve(input.target);
      const namespaces = await namespacesFor(target, cluster, input.namespace);
      const now = new Date();
      const sections = await Promise.all(
        namespaces.map(async (namespace): Promise<ReportSection> => {
          const verdicts = (await cluster.listPods(namespace, context.signal)).map((pod) => judgePod(pod, target.thresholds, now));
          verdicts.sort((a, b) => compareStatus(b.status, a.status) || a.name.localeCompare(b.name));
          const lines: ReportLine[] = verdicts.map((verdict) => ({
            status: verdict.status,
            label: verdict.name,
            value: `${verdict.state} · ready ${verdict.ready} · ${verdict.restarts} ${verdict.restarts === 1 ? 'restart' : 'restarts'} · age ${verdict.age}`,
            ...(verdict.why.length > 0 ? { note: verdict.why.join('; ') } : {}),
          }));
          return { title: `${target.name} · ${namespace}`, status: lines.length === 0 ? 'ok' : worstStatus(lines.map((line) => line.status)), lines: lines.length > 0 ? lines : [{ status: 'ok', label: 'pods', value: 'none' }] };
        }),
      );
      const all = sections.flatMap((section) => section.lines);
      const problems = all.filter((line) => line.status !== 'ok').length;
      const report: Report = {
        kind: 'report',
        title: `Pods on ${target.name}`,
        status: worstStatus(all.map((line) => line.status)),
        summary: `${all.length} pods in ${namespaces.join(', ')}${problems > 0 ? `, ${problems} with problems (listed first)` : ', all healthy'}.`,
        sections,
        context: { requestedBy: context.invocation.actor.name },
      };
      return { summary: `${all.length} pods, ${problems} with problems`, message: report, output: { pods: all.length, problems } };
    },
  };
}

const eventsInputs = z.object({
  target: optionalText,
  namespace: optionalText,
  since: z.preprocess(
    (value) => (value === '' || value === null || value === undefined ? 30 * 60_000 : typeof value === 'string' ? (parseDuration(value) ?? value) : value),
    z.number({ message: 'expected a duration such as 30m or 2h' }).int().positive('expected a duration above zero'),
  ),
});

/** `kubernetes.events`: the events of the watched namespaces (or one) since a time, grouped by reason and object, warnings first. */
export function eventsAction(clusters: KubernetesTargets): ActionDefinition<z.output<typeof eventsInputs>> {
  return {
    name: 'kubernetes.events',
    destructive: false,
    inputs: eventsInputs,
    async plan(input) {
      const { target } = clusters.resolve(input.target);
      return { summary: `list the events of the last ${formatSeconds(input.since / 1000)} in ${input.namespace ?? 'the watched namespaces'} on Kubernetes target ${target.name}`, detail: [] };
    },
    async run(input, context) {
      const { target, cluster } = clusters.resolve(input.target);
      const namespaces = await namespacesFor(target, cluster, input.namespace);
      const now = new Date();
      const since = new Date(now.getTime() - input.since);
      const window = formatSeconds(input.since / 1000);
      const sections = await Promise.all(
        namespaces.map(async (namespace): Promise<ReportSection> => {
          const groups = groupEvents(await cluster.listEvents(namespace, context.signal, false), since);
          groups.sort((a, b) => Number(b.type === 'Warning') - Number(a.type === 'Warning') || b.lastSeen.getTime() - a.lastSeen.getTime());
          const lines: ReportLine[] = groups.map((group) => ({ status: group.type === 'Warning' ? 'warn' : 'ok', label: group.type, value: describeGroup(group, now) }));
          return { title: `${target.name} · ${namespace}`, status: worstStatus(lines.map((line) => line.status).concat('ok')), lines: lines.length > 0 ? lines : [{ status: 'ok', label: 'events', value: `none in the last ${window}` }] };
        }),
      );
      const warnings = sections.flatMap((section) => section.lines).filter((line) => line.status === 'warn').length;
      const report: Report = {
        kind: 'report',
        title: `Events on ${target.name}`,
        status: warnings > 0 ? 'warn' : 'ok',
        summary: `The last ${window} in ${namespaces.join(', ')}, grouped by reason and object: ${warnings} warning ${warnings === 1 ? 'group' : 'groups'}.`,
        sections,
        context: { requestedBy: context.invocation.actor.name },
      };
      return { summary: `${warnings} warning groups in the last ${window}`, message: report, output: { warnings } };
    },
  };
}
