import { UserError } from '../../src/core/errors.js';

/** The `UserError` that `run` throws; fails the test when it throws nothing or something else. */
export function userErrorOf(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}
