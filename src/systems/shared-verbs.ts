import { z } from 'zod';
import type { ActionContext, ActionDefinition, AnyActionDefinition } from '../core/action.js';
import { didYouMean } from '../core/did-you-mean.js';
import { UserError } from '../core/errors.js';

/** One system's action for a verb, with the names of that system's configured targets. */
export interface VerbOffer {
  system: string;
  action: AnyActionDefinition;
  targets: string[];
}

const dispatchInputs = z.looseObject({ target: z.preprocess((value) => (value === '' || value === null ? undefined : value), z.string().optional()) });

type DispatchInput = z.output<typeof dispatchInputs>;

/**
 * The actions runbooks may name by verb alone (`analyze`, `backup`): one per verb that two or more systems
 * offer as `<system>.<verb>`. Each hands its step to the action of the system whose target the step's
 * `target` names; with no target, to the only system that has targets configured. The chosen action
 * validates the inputs, plans and runs as if the runbook had named it; a later step may refer to the outputs
 * every one of the systems' actions declares.
 */
export function sharedVerbActions(actions: readonly AnyActionDefinition[], targetsOfSystem: (system: string) => string[]): AnyActionDefinition[] {
  const byVerb = new Map<string, VerbOffer[]>();
  for (const action of actions) {
    const [system, verb] = action.name.split('.');
    if (!system || !verb) continue;
    byVerb.set(verb, [...(byVerb.get(verb) ?? []), { system, action, targets: targetsOfSystem(system) }]);
  }
  return [...byVerb.entries()].filter(([, offers]) => offers.length > 1).map(([verb, offers]) => dispatchAction(verb, offers));
}

function dispatchAction(verb: string, offers: VerbOffer[]): ActionDefinition<DispatchInput> {
  const parsedFor = (input: DispatchInput): { action: AnyActionDefinition; input: unknown } => {
    const offer = offerFor(verb, offers, input.target);
    const parsed = offer.action.inputs.safeParse(input);
    if (!parsed.success) throw new UserError(`${offer.action.name}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'} ${issue.message}`).join('; ')}.`);
    return { action: offer.action, input: parsed.data };
  };
  const [first, ...others] = offers;
  const shared = Object.entries(first?.action.outputs ?? {}).filter(([name]) => others.every((offer) => offer.action.outputs?.[name] !== undefined));
  return {
    name: verb,
    ...(shared.length > 0 ? { outputs: Object.fromEntries(shared) } : {}),
    destructive: (input) => {
      const { action, input: parsed } = parsedFor(input);
      return typeof action.destructive === 'function' ? action.destructive(parsed) : action.destructive;
    },
    inputs: dispatchInputs,
    plan: async (input, context: ActionContext) => {
      const chosen = parsedFor(input);
      return chosen.action.plan(chosen.input, context);
    },
    run: async (input, context: ActionContext) => {
      const chosen = parsedFor(input);
      return chosen.action.run(chosen.input, context);
    },
  };
}

function offerFor(verb: string, offers: VerbOffer[], target: string | undefined): VerbOffer {
  const listed = offers.flatMap((offer) => offer.targets.map((name) => `${name} (${offer.system})`));
  const systems = offers.map((offer) => offer.system).join(' and ');
  if (target === undefined) {
    const configured = offers.filter((offer) => offer.targets.length > 0);
    if (configured.length === 1) return configured[0]!;
    if (configured.length === 0) throw new UserError(`No target can ${verb}: configure a ${offers.map((offer) => offer.system).join(' or ')} target.`, `Config: ${offers.map((offer) => `targets.${offer.system}[]`).join(' or ')} in the bot config.`);
    throw new UserError(`Several targets can ${verb}; name one with --target: ${listed.join(', ')}.`);
  }
  const offer = offers.find((candidate) => candidate.targets.includes(target));
  if (offer) return offer;
  const names = offers.flatMap((candidate) => candidate.targets);
  throw new UserError(`No target named ${JSON.stringify(target.length > 64 ? `${target.slice(0, 64)}…` : target)} can ${verb}; ${systems} targets can: ${listed.join(', ') || 'none is configured'}.${didYouMean(target, names)}`);
}
