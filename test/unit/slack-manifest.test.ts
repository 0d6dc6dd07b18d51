import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { slackMethodScopes, slackReceivedScopes } from '../../src/chat/slack/scopes.js';

const root = resolve(import.meta.dirname, '../..');
const manifest = parse(readFileSync(join(root, 'config/slack-app-manifest.yaml'), 'utf8')) as {
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions?: { bot_events?: string[] } };
  features: { app_home?: { home_tab_enabled?: boolean } };
};

/** Every `client.<family>.<method>(` call in the Slack adapter's sources, as Web API method names. */
function calledMethods(): Set<string> {
  const dir = join(root, 'src/chat/slack');
  const methods = new Set<string>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/\bclient\.((?:[a-z][A-Za-z]*\.)+[a-z][A-Za-z]*)\(/g)) methods.add(match[1]!);
  }
  return methods;
}

describe('the Slack app manifest', () => {
  it('asks for exactly the scopes of the Web API methods the adapter calls, and of the slash command', () => {
    const called = calledMethods();
    expect(called).toContain('chat.postMessage');
    expect(called).toContain('views.publish');
    expect([...called].sort()).toEqual(Object.keys(slackMethodScopes).sort());
    const needed = new Set([...[...called].flatMap((method) => slackMethodScopes[method] ?? []), ...slackReceivedScopes]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
    expect(manifest.oauth_config.scopes.bot).not.toContain('users:read');
  });

  it('turns on the App Home tab and subscribes to app_home_opened', () => {
    expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions?.bot_events).toEqual(['app_home_opened']);
  });
});
