import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, shippedDefinitions } from '../../src/app.js';
import { runConsoleChat } from '../../src/chat/console/console-chat.js';
import { ConsoleResponder } from '../../src/chat/console/console-responder.js';
import { configSchemaFor } from '../../src/config/schema.js';
import type { ActionDefinition } from '../../src/core/action.js';
import { UserError } from '../../src/core/errors.js';
import { defineSystem } from '../../src/core/system.js';
import { targetNameSchema } from '../../src/core/target-name.js';
import { createLogger } from '../../src/logging/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { shippedSystems } from '../../src/systems/index.js';
import { MemoryAudit } from '../support/memory-audit.js';
import { useTempDir } from '../support/temp.js';

/** A test-only system: a folder of notes, checked by how many it holds, written to by one action. */
const scratchpadTargetSchema = z
  .object({
    name: targetNameSchema,
    dir: z.string().min(1),
    max_notes: z.number().int().positive().default(3),
    optional: z.boolean().default(false),
  })
  .strict();

type ScratchpadTarget = z.output<typeof scratchpadTargetSchema>;

function jotAction(targets: readonly ScratchpadTarget[]): ActionDefinition<{ pad: string; text: string }> {
  const padNamed = (name: string): ScratchpadTarget => {
    const pad = targets.find((target) => target.name === name);
    if (!pad) throw new UserError(`No scratchpad named ${name}.`);
    return pad;
  };
  return {
    name: 'scratchpad.jot',
    destructive: false,
    inputs: z.object({ pad: z.string().min(1), text: z.string().min(1) }),
    plan: async (input) => ({ summary: `write a note on ${input.pad}`, detail: [input.text] }),
    async run(input) {
      const pad = padNamed(input.pad);
      const name = `note-${(await readdir(pad.dir)).length + 1}.txt`;
      await writeFile(join(pad.dir, name), input.text);
      return { summary: `wrote ${name} on ${pad.name}`, output: { file: name } };
    },
  };
}

const scratchpadSystem = defineSystem({
  key: 'scratchpads',
  system: 'scratchpad',
  cardinality: 'many',
  targetSchema: scratchpadTargetSchema,
  probe: (target) => ({
    target: target.name,
    system: 'scratchpad',
    optional: target.optional,
    async run() {
      const notes = (await readdir(target.dir)).length;
      return [
        {
          checkId: 'scratchpad.notes',
          status: notes > target.max_notes ? 'warn' : 'ok',
          measure: { value: notes, unit: 'count' },
          label: 'notes',
          text: `${notes} note${notes === 1 ? '' : 's'}`,
          threshold: `warn above ${target.max_notes}`,
        },
      ];
    },
  }),
  actions: (targets) => [jotAction(targets)],
  completions: { scratchpads: (targets) => targets.map((target) => target.name) },
});

const systems = [...shippedSystems, scratchpadSystem];
const tempDir = useTempDir();

/** Commands and runbooks in a temporary folder: the shipped health, and `jot`, which uses the test system's action. */
async function definitions(root: string): Promise<{ commands: string; runbooks: string }> {
  const folders = { commands: join(root, 'commands'), runbooks: join(root, 'runbooks') };
  await mkdir(folders.commands);
  await mkdir(folders.runbooks);
  for (const [folder, shipped] of [
    [folders.commands, shippedDefinitions.commands],
    [folders.runbooks, shippedDefinitions.runbooks],
  ] as const) {
    await writeFile(join(folder, 'health.yaml'), await readFile(join(shipped, 'health.yaml'), 'utf8'));
  }
  await writeFile(
    join(folders.commands, 'jot.yaml'),
    [
      'name: jot',
      'summary: Write a note on a scratchpad',
      'args:',
      '  - { name: pad, required: true, complete: scratchpads }',
      '  - { name: text, required: true }',
      'roles: [operator, admin]',
      'runbook: jot',
    ].join('\n'),
  );
  await writeFile(
    join(folders.runbooks, 'jot.yaml'),
    [
      'name: jot',
      'description: Writes a note, then checks the pad',
      'params:',
      '  pad: { type: string, required: true }',
      '  text: { type: string, required: true }',
      'steps:',
      '  - id: write',
      '    title: write the note',
      '    action: scratchpad.jot',
      '    with: { pad: "${params.pad}", text: "${params.text}" }',
    ].join('\n'),
  );
  return folders;
}

describe('a system module registered beside the shipped ones, through the same list', () => {
  it('is in the config schema, in /maint health and in a runbook, driven through the terminal chat', async () => {
    const root = await tempDir();
    const pad = join(root, 'pad');
    await mkdir(pad);
    const config = configSchemaFor(systems).parse({ targets: { scratchpads: [{ name: 'pad', dir: pad, max_notes: 1 }] } });
    const app = await buildApp(config, createLogger({ level: 'silent', pretty: false }), {
      systems,
      folders: await definitions(root),
      store: new MemoryStore(),
      audit: new MemoryAudit(),
    });
    try {
      const output = new PassThrough();
      let printed = '';
      output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      const typed = ['/maint health --verbose', '/maint jot pad "remember the milk"', '/maint jot pad "and the eggs"', '/maint health pad'];
      await runConsoleChat(app.router, {
        input: Readable.from(typed.map((line) => `${line}\n`)),
        output,
        interactive: false,
        actor: { id: 'ana', name: 'ana', roles: ['admin'] },
        responder: new ConsoleResponder(output, false),
      });
      const [firstHealth, ...rest] = printed.split('wrote note-1.txt on pad');
      expect(firstHealth).toMatch(/pad \(scratchpad\)/);
      expect(firstHealth).toMatch(/notes\s+0 notes/);
      const afterNotes = rest.join('');
      expect(afterNotes).toContain('wrote note-2.txt on pad');
      expect(afterNotes).toMatch(/▲ pad \(scratchpad\)[\s\S]*notes\s+2 notes/);
      expect(afterNotes).toContain('warn above 1');
      expect(await readFile(join(pad, 'note-1.txt'), 'utf8')).toBe('remember the milk');
      expect(app.completions('scratchpads')).toEqual(['pad']);
    } finally {
      await app.close();
    }
  });

  it('refuses a command whose completions no registered system answers, and takes them once the system is listed', async () => {
    const root = await tempDir();
    const folders = await definitions(root);
    const options = { folders, store: new MemoryStore(), audit: new MemoryAudit() };
    const logger = createLogger({ level: 'silent', pretty: false });
    const shippedOnly = buildApp(configSchemaFor(shippedSystems).parse({}), logger, { ...options, systems: shippedSystems, extraActions: [jotAction([])] });
    await expect(shippedOnly).rejects.toThrow(/jot\.yaml args\[0\]\.complete: no system answers completions of 'scratchpads'/);
    const app = await buildApp(configSchemaFor(systems).parse({}), logger, { ...options, systems });
    expect(app.completions('scratchpads')).toEqual([]);
    await app.close();
  });

  it('refuses a config that misspells a key of the new system, with the path', () => {
    const parsed = configSchemaFor(systems).safeParse({ targets: { scratchpads: [{ name: 'pad', dri: '/tmp' }] } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['targets.scratchpads.0']));
  });
});
