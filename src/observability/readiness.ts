/** What readiness depends on: the chat connections and the store. */
export interface ReadinessSources {
  chats: () => Iterable<[string, { connected(): boolean }]>;
  store: { kind: string; ping(): Promise<boolean> };
  /** How long the store may take to answer; default 1 s. */
  timeoutMs?: number;
}

/** The answer of `/readyz`: ready, or what is down and why. */
export interface Readiness {
  ready: boolean;
  down: { component: string; reason: string }[];
}

/** Ready when every chat connection is connected and the store answers a ping in time. */
export async function checkReadiness(sources: ReadinessSources): Promise<Readiness> {
  const down: Readiness['down'] = [];
  for (const [platform, connection] of sources.chats()) {
    if (!connection.connected()) down.push({ component: `chat:${platform}`, reason: 'not connected' });
  }
  const storeReason = await pingWithin(sources.store, sources.timeoutMs ?? 1000);
  if (storeReason) down.push({ component: `store:${sources.store.kind}`, reason: storeReason });
  return { ready: down.length === 0, down };
}

/** True when the store answers a ping within `timeoutMs`. */
export async function storeAnswers(store: ReadinessSources['store'], timeoutMs: number): Promise<boolean> {
  return (await pingWithin(store, timeoutMs)) === undefined;
}

async function pingWithin(store: ReadinessSources['store'], timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  const answered = store.ping().then(
    (ok) => (ok ? undefined : 'ping failed'),
    (error: unknown) => `ping failed: ${(error as Error).message}`,
  );
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
