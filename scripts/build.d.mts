/** The files and folders whose contents make the build stamp. */
export const stampInputs: readonly string[];
/** The sha256 of every stamp input under `root`. */
export function sourceStamp(root: string): Promise<string>;
/** Makes dist/ match the sources under `root`; see scripts/build.mjs. */
export function ensureBuilt(root: string, options?: { force?: boolean; log?: (line: string) => void }): Promise<'fresh' | 'built' | 'prebuilt'>;
/** The repository scripts/ belongs to. */
export const repoRoot: string;
/** The packages bundled into dist/ instead of imported from node_modules. */
export const bundledPackages: readonly string[];
