import type { Logger } from 'pino';
import { invocationFields, type AuditTrail } from '../audit/audit-trail.js';
import { resultOfRun, type CommandOutcome, type CommandResult } from '../core/command-outcome.js';
import { CodedError, errorCodeOf, UserError } from '../core/errors.js';
import { platformLabel, type Invocation } from '../core/invocation.js';
import { notice } from '../core/report.js';
import type { Responder } from '../core/responder.js';
import type { RunbookEngine } from '../engine/engine.js';
import type { RunbookCatalog } from '../engine/runbook-catalog.js';
import type { CommandCatalog } from './catalog.js';
import { answersPrivately, type CommandSpec } from './command-spec.js';
import { helpForCommand, helpOverview, unknownCommand } from './help.js';
import { parseArguments, type ParsedArguments } from './parse-arguments.js';
import type { RateLimiter, RateLimitKind } from './rate-limits.js';
import { checkCommandLength, commandTooLong, tokenize } from './tokenize.js';
import { userText, withoutControls } from '../core/user-text.js';

export type { CommandOutcome, CommandResult };

/** One finished command, for monitoring: `command` is a known command name, `help` or `unknown`. */
export interface CommandOutcomeEvent {
  command: string;
  outcome: CommandOutcome;
  /** The platform it came from (`platformLabel`). */
  platform: string;
  durationMs: number;
}

/** What the router says to commands that arrive while the bot stops. */
export const shuttingDownText = 'maintbot is shutting down; try again in a moment';

/** What a built-in command receives. */
export interface BuiltinContext {
  invocation: Invocation;
  responder: Responder;
  logger: Logger;
  spec: CommandSpec;
  args: ParsedArguments;
}

/** A command implemented in code rather than by a runbook (help, approve, audit…); without a result its outcome is `ok`. */
export type BuiltinHandler = (context: BuiltinContext) => Promise<CommandResult | void>;

/** What the router needs; handed in by the composition root. */
export interface RouterDependencies {
  commands: CommandCatalog;
  runbooks: RunbookCatalog;
  engine: RunbookEngine;
  builtins: ReadonlyMap<string, BuiltinHandler>;
  logger: Logger;
  audit?: AuditTrail;
  /** Told of every finished command (metrics). */
  onOutcome?: (event: CommandOutcomeEvent) => void;
  /** Told how long after its arrival a command got its first answer (metrics). */
  onAcknowledged?: (platform: string, latencyMs: number) => void;
  /** Per-person limits on commands and on requests for approval; none when absent. */
  limits?: RateLimiter;
}

/** The one entry for every command, whatever platform or trigger it came from. */
export class Router {
  private refusing = false;
  private readonly running = new Set<Promise<CommandOutcome>>();

  constructor(private readonly deps: RouterDependencies) {}

  /** From now on, new commands are answered with `shuttingDownText`; running ones go on. */
  refuseNewCommands(): void {
    this.refusing = true;
  }

  /** Resolves when no command is running, or after `timeoutMs`; true when idle. */
  async whenIdle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.running]), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
      clearTimeout(timer);
    }
    return true;
  }

  /** Runs one invocation to the end; never throws: errors become messages to the requester. */
  async handle(invocation: Invocation, responder: Responder): Promise<CommandOutcome> {
    const command = this.commandLabel(invocation.text);
    const answering = this.deps.onAcknowledged ? acknowledging(responder, invocation, this.deps.onAcknowledged) : responder;
    if (this.refusing) {
      await this.tell(answering, this.deps.logger, notice('error', shuttingDownText));
      this.deps.onOutcome?.({ command, outcome: 'refused', platform: platformLabel(invocation), durationMs: 0 });
      return 'refused';
    }
    const run = this.handleNow(invocation, answering, command);
    this.running.add(run);
    try {
      return await run;
    } finally {
      this.running.delete(run);
    }
  }

  private commandLabel(text: string): string {
    if (commandTooLong(text)) return 'unknown';
    const first = /^\s*(?:\/maint\b)?\s*(\S+)/.exec(text)?.[1]?.toLowerCase();
    if (first === undefined || first === 'help' || first === '--help' || first === '-h') return 'help';
    return this.deps.commands.get(first)?.name ?? 'unknown';
  }

  private async handleNow(invocation: Invocation, responder: Responder, command: string): Promise<CommandOutcome> {
    const logger = this.deps.logger.child({ invocation: invocation.id, platform: platformLabel(invocation), actor: invocation.actor.id });
    logger.info({ text: userText(invocation.text), origin: invocation.origin }, 'command received');
    const started = Date.now();
    const { outcome, ...about } = await this.dispatchSafely(invocation, responder, logger);
    logger.info({ outcome, durationMs: Date.now() - started }, 'command finished');
    await this.deps.audit?.record({
      at: invocation.receivedAt,
      kind: 'command',
      ...invocationFields({ ...invocation, text: recordedText(invocation.text) }),
      ...about,
      outcome,
      durationMs: Date.now() - started,
    });
    this.deps.onOutcome?.({ command, outcome, platform: platformLabel(invocation), durationMs: Date.now() - started });
    return outcome;
  }

  private async dispatchSafely(invocation: Invocation, responder: Responder, logger: Logger): Promise<CommandResult> {
    try {
      return await this.dispatch(invocation, responder, logger);
    } catch (error) {
      if (error instanceof AccessDenied) {
        await this.tell(responder, logger, notice('error', error.message));
        return { outcome: 'denied', detail: error.message };
      }
      if (error instanceof RateLimited) {
        await this.tell(responder, logger, notice('error', error.message));
        return { outcome: 'refused', detail: error.detail, ...(error.runbook && { runbook: error.runbook }) };
      }
      if (error instanceof UserError) {
        await this.tell(responder, logger, notice('error', error.message, error.hint));
        return { outcome: 'invalid', detail: error.message };
      }
      const code = errorCodeOf(error, 'COMMAND_FAILED');
      logger.error({ err: error, code }, 'command failed');
      await this.tell(responder, logger, notice('error', `Something went wrong running that command (${code}). The details are in the bot's log under invocation ${invocation.id}.`));
      return { outcome: 'failed', detail: `internal error ${code}` };
    }
  }

  private async dispatch(invocation: Invocation, responder: Responder, logger: Logger): Promise<CommandResult> {
    if (this.commandLabel(invocation.text) !== 'help') await this.admit('commands', invocation);
    checkCommandLength(invocation.text);
    const words = tokenize(invocation.text.replace(/^\s*\/maint\b/, ''));
    const [name, ...rest] = words;
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      const topic = rest[0];
      await responder.replyPrivately(topic ? helpForCommand(this.deps.commands, topic) : helpOverview(this.deps.commands, invocation.actor.roles));
      return { outcome: 'ok' };
    }
    const spec = this.deps.commands.get(name.toLowerCase());
    if (!spec) throw unknownCommand(this.deps.commands, name);
    if (!spec.roles.some((role) => invocation.actor.roles.includes(role))) {
      const has = invocation.actor.roles.length ? invocation.actor.roles.join(', ') : 'no role';
      throw new AccessDenied(`'${spec.name}' needs the role ${spec.roles.join(' or ')}; you have ${has}. An admin can grant it under access.grants in the config.`);
    }
    const args = parseArguments(spec, rest);
    if (args.common.help) {
      await responder.replyPrivately(helpForCommand(this.deps.commands, spec.name));
      return { outcome: 'ok' };
    }
    if (spec.builtin) {
      const handler = this.deps.builtins.get(spec.builtin);
      if (!handler) throw new UserError(`'${spec.name}' is not available in this version of maintbot.`);
      return (await handler({ invocation, responder, logger, spec, args })) ?? { outcome: 'ok' };
    }
    const runbook = this.deps.runbooks.get(spec.runbook!);
    if (!runbook) throw new CodedError('ROUTER_MISSING_RUNBOOK', `command ${spec.name} names runbook ${spec.runbook} that is not loaded`);
    const privately = answersPrivately(spec, args.values);
    const request = { runbook, params: args.values, invocation, responder, logger, privately };
    if (args.common.dryRun) {
      const plan = await this.deps.engine.dryRun(request);
      await (privately ? responder.replyPrivately(plan) : responder.reply(plan));
      return { outcome: 'ok', runbook: runbook.name };
    }
    const counted = this.deps.engine.mayAskApproval(runbook, args.values) ? await this.admit('destructive', invocation, runbook.name) : undefined;
    let outcome: Awaited<ReturnType<RunbookEngine['run']>> | undefined;
    try {
      outcome = await this.deps.engine.run({ ...request, command: invocation });
    } finally {
      if (outcome?.result !== 'waiting') await counted?.giveBack();
    }
    return resultOfRun(runbook.name, outcome);
  }

  /** Counts a request against the person's limit of its kind (help is free); throws `RateLimited` over it. Schedules are not counted. */
  private async admit(kind: RateLimitKind, invocation: Invocation, runbook?: string): Promise<{ giveBack(): Promise<void> } | undefined> {
    if (!this.deps.limits || invocation.origin === 'schedule') return undefined;
    const admission = await this.deps.limits.admit(kind, invocation);
    if (!admission.admitted) throw new RateLimited(admission.message, admission.detail, runbook);
    return admission;
  }

  private async tell(responder: Responder, logger: Logger, message: Parameters<Responder['replyPrivately']>[0]): Promise<void> {
    try {
      await responder.replyPrivately(message);
    } catch (error) {
      logger.error({ err: error }, 'could not deliver an error message to the requester');
    }
  }
}

class AccessDenied extends Error {}

class RateLimited extends Error {
  constructor(
    message: string,
    readonly detail: string,
    readonly runbook?: string,
  ) {
    super(message);
  }
}

/** A command line as the audit trail keeps it: whole with its controls escaped, or cut when too long to have been read. */
function recordedText(text: string): string {
  return commandTooLong(text) ? userText(text) : withoutControls(text);
}

/** The responder, reporting the time from arrival to the first answer that reached the requester. */
function acknowledging(responder: Responder, invocation: Invocation, report: (platform: string, latencyMs: number) => void): Responder {
  let reported = false;
  const first = <T>(answer: Promise<T>): Promise<T> =>
    answer.then((value) => {
      if (!reported) {
        reported = true;
        report(platformLabel(invocation), Date.now() - invocation.receivedAt.getTime());
      }
      return value;
    });
  return {
    reply: (message) => first(responder.reply(message)),
    update: (handle, message) => first(responder.update(handle, message)),
    replyPrivately: (message) => first(responder.replyPrivately(message)),
  };
}
