/**
 * The container's HEALTHCHECK: exits 0 when `/healthz` answers 200 within 3 s, else 1. The URL comes
 * from MAINTBOT_HEALTHCHECK_URL, default http://127.0.0.1:9464/healthz (observability.port's default).
 */
const url = process.env.MAINTBOT_HEALTHCHECK_URL ?? 'http://127.0.0.1:9464/healthz';

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  process.exitCode = response.status === 200 ? 0 : 1;
  if (response.status !== 200) process.stderr.write(`maintbot healthcheck: ${url} answered ${response.status}\n`);
} catch (error) {
  process.stderr.write(`maintbot healthcheck: ${url} did not answer (${(error as Error).message})\n`);
  process.exitCode = 1;
}
