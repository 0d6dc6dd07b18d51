import { ensureBuilt, repoRoot } from '../../scripts/build.mjs';

/** vitest global setup: builds dist/ once before the suite, so the tests that run `npm start` do not each wait for a build. */
export default async function setup(): Promise<void> {
  await ensureBuilt(repoRoot);
}
