/** One field of a cron expression: its name in messages and the values it takes. */
interface CronField {
  name: string;
  min: number;
  max: number;
  /** How many distinct values the field has: the largest step that still means something. */
  count: number;
}

const second: CronField = { name: 'second', min: 0, max: 59, count: 60 };
const fiveFields: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59, count: 60 },
  { name: 'hour', min: 0, max: 23, count: 24 },
  { name: 'day of month', min: 1, max: 31, count: 31 },
  { name: 'month', min: 1, max: 12, count: 12 },
  { name: 'day of week', min: 0, max: 7, count: 7 },
];

/**
 * What is out of range in a cron expression, field by field, steps included (`*\/61` minutes, `*\/25`
 * hours). croner, which runs the schedules, refuses these too, but its messages do not name the field
 * (`steps cannot be greater than maximum value of part (60)`); these do, so the config check asks here
 * first. Names and the forms only croner's parser checks (`L`, `#`, names of days and months) are left
 * to it. Empty when every number is in range.
 */
export function cronFieldProblems(expression: string): string[] {
  const parts = expression.trim().split(/\s+/);
  const fields = parts.length === 6 ? [second, ...fiveFields] : parts.length === 5 ? fiveFields : undefined;
  if (fields === undefined) return [];
  return fields.flatMap((field, index) => fieldProblems(field, parts[index]!));
}

function fieldProblems(field: CronField, text: string): string[] {
  const problems: string[] = [];
  const range = `${field.min}–${field.max}`;
  for (const item of text.split(',')) {
    const [base = '', step, ...extra] = item.split('/');
    if (extra.length > 0) {
      problems.push(`${field.name} '${item}': only one step (/N) is allowed`);
      continue;
    }
    if (step !== undefined) {
      const steps = /^\d+$/.test(step) ? Number(step) : undefined;
      if (steps === undefined || steps < 1 || steps > field.count) {
        problems.push(`${field.name} '${item}': the step must be a number from 1 to ${field.count}, not '${step}'`);
      }
    }
    for (const bound of base.split('-')) {
      if (!/^\d+$/.test(bound)) continue;
      const value = Number(bound);
      if (value < field.min || value > field.max) problems.push(`${field.name} '${item}': ${value} is outside ${range}`);
    }
  }
  return problems;
}
