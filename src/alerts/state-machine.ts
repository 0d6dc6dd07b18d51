/** The alerting level of one check; `unknown` findings count as warn, skipped ones are not observed. */
export type AlertLevel = 'ok' | 'warn' | 'crit';

/** Who acknowledged an alert, and when (epoch ms). */
export interface Acknowledgement {
  by: string;
  at: number;
}

/** Everything remembered about one check (a finding's key: target, check id, subject) between runs; plain data kept in the store. */
export interface CheckState {
  /** The confirmed level: the one people were last told about (ok until a problem held long enough). */
  level: AlertLevel;
  /** A different level seen in the latest runs, with how many runs in a row it has held. */
  pending?: { level: AlertLevel; runs: number };
  /** The open alert while `level` is not ok. */
  alertId?: string;
  /** The worst level the open alert reached, for quiet hours and the resolved message. */
  worst?: AlertLevel;
  /** When people were last told about the open alert (epoch ms). */
  notifiedAt?: number;
  acked?: Acknowledgement;
  snoozedUntil?: number;
  /** The latest figure, e.g. "92 %", and when it was read. */
  value: string;
  lastRunAt: number;
}

/** One run's judgement of a check. */
export interface Observation {
  level: AlertLevel;
  value: string;
  at: number;
}

/** How strict the machine is. */
export interface AlertPolicy {
  /** A new level must be seen this many runs in a row before anyone is notified. */
  holdRuns: number;
  /** While critical and neither acked nor snoozed, tell again after this long. */
  renotifyAfterMs: number;
}

/** What to tell people after a run. `resolved` goes in the thread of the alert it closes. */
export type AlertNotification =
  | { kind: 'raised'; alertId: string; level: 'warn' | 'crit'; value: string }
  | { kind: 'changed'; alertId: string; from: 'warn' | 'crit'; level: 'warn' | 'crit'; value: string }
  | { kind: 'renotify'; alertId: string; level: 'crit'; value: string; since: number }
  | { kind: 'resolved'; alertId: string; worst: 'warn' | 'crit'; value: string };

/** The next state of a check and what to tell people, if anything. */
export interface Transition {
  state: CheckState;
  notification?: AlertNotification;
}

/**
 * Advances one check by one run. Pure: `newAlertId` is used only when a new alert opens.
 * Flaps shorter than `holdRuns` are never notified; only confirmed changes are; a critical alert
 * is repeated every `renotifyAfterMs` unless acked or snoozed; recovery yields exactly one `resolved`.
 */
export function advance(previous: CheckState | undefined, observed: Observation, policy: AlertPolicy, newAlertId: string): Transition {
  const current: CheckState = previous ?? { level: 'ok', value: observed.value, lastRunAt: observed.at };
  const base: CheckState = { ...current, value: observed.value, lastRunAt: observed.at };
  if (observed.level === current.level) {
    delete base.pending;
    return renotifyIfDue(base, observed, policy);
  }
  const runs = current.pending?.level === observed.level ? current.pending.runs + 1 : 1;
  if (runs < policy.holdRuns) return { state: { ...base, pending: { level: observed.level, runs } } };
  delete base.pending;
  return confirm(base, current, observed, newAlertId);
}

function confirm(base: CheckState, current: CheckState, observed: Observation, newAlertId: string): Transition {
  const { value, at } = observed;
  if (observed.level === 'ok') {
    const closed = { ...withoutAlert(base), level: 'ok' as const };
    if (current.alertId === undefined || current.level === 'ok') return { state: closed };
    return { state: closed, notification: { kind: 'resolved', alertId: current.alertId, worst: problemLevel(current.worst ?? current.level), value } };
  }
  const level = observed.level;
  if (current.level === 'ok' || current.alertId === undefined) {
    const opened: CheckState = { ...withoutAlert(base), level, alertId: newAlertId, worst: level, notifiedAt: at };
    return { state: opened, notification: { kind: 'raised', alertId: newAlertId, level, value } };
  }
  const escalated = level === 'crit';
  const changed: CheckState = { ...base, level, worst: escalated ? 'crit' : (current.worst ?? current.level) };
  if (escalated) delete changed.acked;
  if (isSnoozed(current, at)) return { state: changed };
  changed.notifiedAt = at;
  return { state: changed, notification: { kind: 'changed', alertId: current.alertId, from: problemLevel(current.level), level, value } };
}

function renotifyIfDue(state: CheckState, observed: Observation, policy: AlertPolicy): Transition {
  if (state.level !== 'crit' || state.alertId === undefined || state.acked || isSnoozed(state, observed.at)) return { state };
  const since = state.notifiedAt ?? observed.at;
  const snoozeEnded = state.snoozedUntil !== undefined;
  if (!snoozeEnded && observed.at - since < policy.renotifyAfterMs) return { state };
  const { snoozedUntil: _ended, ...awake } = state;
  return {
    state: { ...awake, notifiedAt: observed.at },
    notification: { kind: 'renotify', alertId: state.alertId, level: 'crit', value: observed.value, since },
  };
}

function withoutAlert(state: CheckState): CheckState {
  const { alertId: _alertId, worst: _worst, notifiedAt: _notifiedAt, acked: _acked, snoozedUntil: _snoozedUntil, ...rest } = state;
  return rest;
}

function problemLevel(level: AlertLevel): 'warn' | 'crit' {
  return level === 'crit' ? 'crit' : 'warn';
}

/** True while a snooze on the check's alert lasts. */
export function isSnoozed(state: CheckState, now: number): boolean {
  return state.snoozedUntil !== undefined && state.snoozedUntil > now;
}

/** Marks the open alert acknowledged: no more re-notifications until it escalates or resolves. */
export function acknowledge(state: CheckState, by: string, at: number): CheckState {
  return { ...state, acked: { by, at } };
}

/** Silences the open alert's re-notifications and changes until `until` (epoch ms); `resolved` still goes out. */
export function snooze(state: CheckState, until: number): CheckState {
  return { ...state, snoozedUntil: until };
}
