import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { ProbeFinding } from '../../../core/finding.js';
import { parseDuration } from '../../../core/duration.js';
import { worstStatus, type LineStatus } from '../../../core/status.js';
import { formatSeconds } from '../../../render/units.js';
import type { KubernetesThresholds } from '../target.js';

/** Waiting reasons that mean a container will not start by itself. */
const brokenWaitingReasons = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/** What is wrong with one pod, judged. */
export interface PodVerdict {
  pod: V1Pod;
  namespace: string;
  name: string;
  status: LineStatus;
  /** One short phrase for listings, e.g. "CrashLoopBackOff (app, last OOMKilled)". */
  state: string;
  /** Why each problem matters, one sentence each. */
  why: string[];
  restarts: number;
  ready: string;
  age: string;
}

interface Problem {
  status: LineStatus;
  state: string;
  why: string;
}

/** Judges one pod: broken containers, long Pending, not ready, recent restarts; `ok` when none. */
export function judgePod(pod: V1Pod, thresholds: KubernetesThresholds, now: Date): PodVerdict {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const problems = [...statuses.flatMap((status) => containerProblems(status, thresholds, now)), ...phaseProblems(pod, statuses, thresholds, now)];
  const restarts = statuses.reduce((sum, status) => sum + status.restartCount, 0);
  const containers = pod.status?.containerStatuses ?? [];
  const created = pod.metadata?.creationTimestamp;
  return {
    pod,
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    status: worstStatus(problems.map((problem) => problem.status).concat('ok')),
    state: problems.length > 0 ? problems.map((problem) => problem.state).join(', ') : (pod.status?.phase ?? 'Unknown'),
    why: problems.map((problem) => problem.why),
    restarts,
    ready: `${containers.filter((status) => status.ready).length}/${pod.spec?.containers.length ?? containers.length}`,
    age: created ? formatSeconds((now.getTime() - created.getTime()) / 1000) : 'unknown',
  };
}

function containerProblems(status: V1ContainerStatus, thresholds: KubernetesThresholds, now: Date): Problem[] {
  const problems: Problem[] = [];
  const waiting = status.state?.waiting?.reason;
  const last = status.lastState?.terminated;
  const lastRun = last ? `, last terminated ${last.reason ?? 'with'} (exit ${last.exitCode})${last.finishedAt ? ` ${ago(last.finishedAt, now)}` : ''}` : '';
  if (waiting !== undefined && brokenWaitingReasons.has(waiting)) {
    problems.push({
      status: 'crit',
      state: `${waiting} (${status.name}${last?.reason ? `, last ${last.reason}` : ''})`,
      why: `container ${status.name} is in ${waiting}${lastRun}: ${adviceFor(waiting, last?.reason, status.state?.waiting?.message)}`,
    });
  }
  const window = parseDuration(thresholds.restart_window)!;
  const recent = last?.finishedAt !== undefined && now.getTime() - last.finishedAt.getTime() <= window;
  if (recent && status.restartCount >= thresholds.restarts_warn) {
    const crit = status.restartCount >= thresholds.restarts_crit;
    problems.push({
      status: crit ? 'crit' : 'warn',
      state: `${status.restartCount} restarts (${status.name})`,
      why: `container ${status.name} restarted ${status.restartCount} times, the last ${ago(last.finishedAt!, now)} (${last.reason === 'OOMKilled' ? 'OOMKilled: out of memory' : `${last.reason ?? 'exited'}, exit ${last.exitCode}`})`,
    });
  }
  return problems;
}

function adviceFor(waiting: string, lastReason: string | undefined, message: string | undefined): string {
  if (lastReason === 'OOMKilled') return 'it was OOMKilled (out of memory): raise its memory limit or find what grows';
  if (waiting === 'CrashLoopBackOff') return 'it keeps exiting; read its logs (kubectl logs --previous)';
  if (waiting === 'ImagePullBackOff' || waiting === 'ErrImagePull') return `the image cannot be pulled${message ? ` (${oneLine(message)})` : ''}: check the image name, tag and pull secret`;
  return message ? oneLine(message) : 'it cannot start: describe the pod';
}

function phaseProblems(pod: V1Pod, statuses: V1ContainerStatus[], thresholds: KubernetesThresholds, now: Date): Problem[] {
  const phase = pod.status?.phase ?? 'Unknown';
  const created = pod.metadata?.creationTimestamp ?? now;
  const age = now.getTime() - created.getTime();
  if (phase === 'Succeeded') return [];
  if (phase === 'Pending') {
    const warnAfter = parseDuration(thresholds.pending_warn)!;
    if (age < warnAfter) return [];
    const crit = age >= parseDuration(thresholds.pending_crit)!;
    const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
    const waiting = statuses.map((status) => status.state?.waiting?.reason).find((reason) => reason !== undefined);
    const because = scheduled?.status === 'False' ? `not scheduled: ${oneLine(scheduled.message ?? scheduled.reason ?? 'no node fits')}` : waiting ? `waiting: ${waiting}` : 'not started';
    return [{ status: crit ? 'crit' : 'warn', state: `Pending ${formatSeconds(age / 1000)}`, why: `Pending for ${formatSeconds(age / 1000)} (${because})` }];
  }
  if (phase === 'Failed') {
    return [{ status: 'warn', state: `Failed${pod.status?.reason ? ` (${pod.status.reason})` : ''}`, why: `the pod failed${pod.status?.message ? `: ${oneLine(pod.status.message)}` : ''}` }];
  }
  if (phase === 'Unknown') return [{ status: 'crit', state: 'Unknown', why: 'its node stopped reporting the pod: check the node' }];
  const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
  const brokenAlready = statuses.some((status) => brokenWaitingReasons.has(status.state?.waiting?.reason ?? ''));
  if (ready?.status === 'True' || brokenAlready) return [];
  const since = ready?.lastTransitionTime ?? created;
  if (now.getTime() - since.getTime() < parseDuration(thresholds.pending_warn)!) return [];
  const notReady = statuses.filter((status) => !status.ready).map((status) => status.name);
  return [{ status: 'warn', state: 'Running, not ready', why: `running but not ready for ${ago(since, now).replace(/ ago$/, '')} (${notReady.join(', ') || 'readiness gate'}): its readiness probe fails, so it gets no traffic` }];
}

/** One finding per pod with a problem, and one count of the namespace's pods. */
export function podFindings(namespace: string, pods: V1Pod[], thresholds: KubernetesThresholds, now: Date): ProbeFinding[] {
  const verdicts = pods.map((pod) => judgePod(pod, thresholds, now));
  const problems = verdicts.filter((verdict) => verdict.status !== 'ok');
  const healthy = verdicts.length - problems.length;
  const threshold = `crit on CrashLoopBackOff or ImagePullBackOff, Pending ${thresholds.pending_crit} or ${thresholds.restarts_crit} restarts within ${thresholds.restart_window}; warn when Pending ${thresholds.pending_warn}, not ready ${thresholds.pending_warn} or ${thresholds.restarts_warn} restarts within ${thresholds.restart_window}`;
  return [
    {
      checkId: 'kubernetes.pods',
      subject: namespace,
      status: worstStatus(problems.map((problem) => problem.status).concat('ok')),
      measure: { value: problems.length, unit: 'count' },
      label: `pods (${namespace})`,
      text: `${verdicts.length} ${verdicts.length === 1 ? 'pod' : 'pods'}, ${healthy} healthy${problems.length > 0 ? `, ${problems.length} with problems` : ''}`,
      threshold,
    },
    ...problems.map(
      (verdict): ProbeFinding => ({
        checkId: 'kubernetes.pod',
        subject: `${namespace}/${verdict.name}`,
        status: verdict.status,
        measure: { value: verdict.restarts, unit: 'count' },
        label: `pod ${namespace}/${verdict.name}`,
        text: `${verdict.state} · ready ${verdict.ready} · ${verdict.restarts} ${verdict.restarts === 1 ? 'restart' : 'restarts'} · age ${verdict.age}`,
        threshold,
        note: verdict.why.join('; '),
      }),
    ),
  ];
}

/** "3 min ago". */
export function ago(at: Date, now: Date): string {
  return `${formatSeconds((now.getTime() - at.getTime()) / 1000)} ago`;
}

/** A message on one line, at most 160 characters. */
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
