import type { Store } from '../store/store.js';
import { alertKeys } from './alert-desk.js';
import type { AlertRecord } from './alert-messages.js';

/** The alerts not resolved yet (silenced ones included), newest first, read from the store. */
export async function openAlerts(store: Store): Promise<AlertRecord[]> {
  const keys = await store.keys(alertKeys.alert(''));
  const records = await Promise.all(keys.map((key) => store.get<AlertRecord>(key)));
  return records.filter((record): record is AlertRecord => record !== undefined && record.resolvedAt === undefined).sort((a, b) => b.openedAt - a.openedAt);
}
