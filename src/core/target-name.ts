import { z } from 'zod';

/** The name a user types in `/maint health <target>`: one word, unique across every system. */
export const targetNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "expected a one-word name: letters, digits, '.', '_' or '-'");
