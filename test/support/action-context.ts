import pino from 'pino';
import type { ActionContext, StepPlan } from '../../src/core/action.js';

/** A minimal context for calling an action's plan or run directly, as alice the operator. */
export function actionContext(approvedPlan?: StepPlan): ActionContext {
  return {
    invocation: {
      id: 'test-invocation',
      platform: 'console',
      actor: { id: 'alice', name: 'alice', roles: ['operator'] },
      channel: { id: 'terminal' },
      text: 'test',
      origin: 'typed',
      receivedAt: new Date(),
    },
    logger: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    progress: async () => undefined,
    ...(approvedPlan ? { approvedPlan } : {}),
  };
}
