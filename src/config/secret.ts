import { z } from 'zod';

/** A secret setting that may be empty in the file (`${NAME:-}`), meaning: not set. */
export const secretSetting = z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional());
