import { describe, expect, it } from 'vitest';
import { tableOfEntry } from '../../src/systems/postgres/backup/archive.js';

describe("reading which table pg_restore --verbose finished", () => {
  it('finds the schema before the table name, names with spaces included', () => {
    expect(tableOfEntry('public orders postgres', 'orders')).toEqual({ schema: 'public', name: 'orders' });
    expect(tableOfEntry('public Order Notes postgres', 'Order Notes')).toEqual({ schema: 'public', name: 'Order Notes' });
    expect(tableOfEntry('my schema items ', 'items')).toEqual({ schema: 'my schema', name: 'items' });
    expect(tableOfEntry('sales invoices', 'invoices')).toEqual({ schema: 'sales', name: 'invoices' });
  });

  it('gives up rather than guess when the tag is not in the listed entry', () => {
    expect(tableOfEntry('public orders postgres', 'customers')).toBeUndefined();
  });
});
