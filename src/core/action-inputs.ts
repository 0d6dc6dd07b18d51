import { z } from 'zod';
import { parseDuration } from './duration.js';

/** Treats `""`, `null` and `undefined` alike, as a runbook leaves a parameter nobody passed. */
export function emptyAsAbsent(value: unknown): unknown {
  return value === '' || value === null ? undefined : value;
}

/** A duration in milliseconds, given as a number or as text such as `10m`. */
export const durationMs = z.preprocess(
  (value) => (typeof value === 'string' ? (parseDuration(value) ?? value) : value),
  z.number({ message: 'expected a duration such as 30s, 10m or 2h' }).int().positive('expected a duration above zero'),
);

/** An optional name input (a target, a database): empty counts as not given. */
export const optionalName = z.preprocess(emptyAsAbsent, z.string().min(1).optional());
