import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sourceStamp } from '../../scripts/build.mjs';
import { repoRoot } from '../support/run-bot.js';
import { useTempDir } from '../support/temp.js';

const run = promisify(execFile);

/** A project with maintbot's scripts/ and build settings and a one-file src/, in a fresh folder. */
async function tinyProject(dir: string): Promise<void> {
  await cp(join(repoRoot, 'scripts'), join(dir, 'scripts'), { recursive: true });
  for (const file of ['tsconfig.json', 'package.json', 'package-lock.json']) await cp(join(repoRoot, file), join(dir, file));
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src', 'main.ts'), "process.stdout.write(`main ${process.argv.slice(2).join(' ')}\\n`);\n");
}

describe('npm start builds dist/ once and reuses it while the sources are unchanged', () => {
  const tempDir = useTempDir();

  it('builds on the first start, reuses the build on the next, and rebuilds after a source changes', async () => {
    const dir = await tempDir();
    await tinyProject(dir);
    const start = () => run(process.execPath, [join(dir, 'scripts', 'start.mjs'), '--config', 'x.yaml'], { cwd: dir });

    const first = await start();
    expect(first.stderr).toContain('building dist/ from src/ (first start)');
    expect(first.stdout).toBe('main --config x.yaml\n');

    const second = await start();
    expect(second.stderr).toBe('');
    expect(second.stdout).toBe('main --config x.yaml\n');

    await writeFile(join(dir, 'src', 'main.ts'), "process.stdout.write('changed\\n');\n");
    const third = await start();
    expect(third.stderr).toContain('building dist/ from src/ (the sources changed)');
    expect(third.stdout).toBe('changed\n');
    expect((await readFile(join(dir, 'dist', '.build-stamp'), 'utf8')).trim()).toBe(await sourceStamp(dir));
    expect(existsSync(join(dir, '.build.lock'))).toBe(false);
  }, 600_000);

  it('changes the stamp for a new, changed or removed source and for the lock file, not for other files', async () => {
    const dir = await tempDir();
    await tinyProject(dir);
    const original = await sourceStamp(dir);
    await writeFile(join(dir, 'README.md'), 'not a build input\n');
    await mkdir(join(dir, 'config'));
    await writeFile(join(dir, 'config', 'default.yaml'), 'targets: {}\n');
    expect(await sourceStamp(dir)).toBe(original);

    await writeFile(join(dir, 'src', 'extra.ts'), 'export const extra = 1;\n');
    const withExtra = await sourceStamp(dir);
    expect(withExtra).not.toBe(original);
    await writeFile(join(dir, 'src', 'extra.ts'), 'export const extra = 2;\n');
    expect(await sourceStamp(dir)).not.toBe(withExtra);
    await unlink(join(dir, 'src', 'extra.ts'));
    expect(await sourceStamp(dir)).toBe(original);

    await writeFile(join(dir, 'package-lock.json'), `${await readFile(join(dir, 'package-lock.json'), 'utf8')}\n`);
    expect(await sourceStamp(dir)).not.toBe(original);
  });
});
