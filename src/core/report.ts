import type { LineStatus, Status } from './status.js';

/** One judged figure: what was checked, the figure, the threshold that judged it and why it matters. */
export interface ReportLine {
  status: LineStatus;
  /** What was checked, e.g. "connections". */
  label: string;
  /** The figure, e.g. "85 of 100 (85 %)". */
  value: string;
  /** The threshold that judged the figure, e.g. "warn at 80 %". */
  threshold?: string;
  /** Why it matters or what to do, e.g. "close idle clients or raise max_connections". */
  note?: string;
  /** Extra lines under this one, e.g. the top long-running queries. */
  detail?: string[];
  /** Buttons about this line alone, e.g. one alert's Ack / Snooze in a grouped alert message: Slack shows them under the line's section, Discord in the message's rows, each line's buttons in one row. */
  buttons?: ReportButton[];
}

/** A group of lines about one target (a database, a container set, the host). */
export interface ReportSection {
  title: string;
  /** `skipped`: about something that did not run, e.g. the plan of a rejected request. */
  status: LineStatus;
  lines: ReportLine[];
  /** How many ok lines were left out of `lines` because the report is not verbose. */
  foldedOk?: number;
  /** Pages about this section's subject, e.g. its target's dashboard (`dashboard_url:`). */
  links?: LinkButton[];
}

/** A button that, when clicked, enters the router as a command like any typed one. */
export interface ReportButton {
  label: string;
  /** The command text the click runs, e.g. "approve 7f3a". */
  command: string;
  style?: 'primary' | 'danger';
}

/** A button that opens a web page (a runbook's docs, a target's dashboard); its click runs nothing. */
export interface LinkButton {
  label: string;
  /** An http:// or https:// URL. */
  url: string;
}

/** How an approval request ended without anything run. */
export type ClosedAs = 'rejected' | 'expired' | 'cancelled';

/** The platform-neutral result of a command: every adapter renders this. */
export interface Report {
  kind: 'report';
  title: string;
  status: Status;
  /** A card closed without anything run: shown with its own mark and colour in place of `status`'s. */
  closed?: ClosedAs;
  /** One sentence under the title. */
  summary?: string;
  sections: ReportSection[];
  buttons?: ReportButton[];
  /** Called at the start of the message, as on a notice (an escalated alert calls the on-call group). */
  mentions?: readonly Mention[];
  /** Link buttons shown after the command buttons: the runbook's docs, the target's dashboard. */
  links?: LinkButton[];
  /** Who asked and how long it took, shown small at the end. */
  context?: { requestedBy?: string; durationMs?: number; note?: string };
}

/** A person or a group (Slack user group, Discord role) a message calls by name, as the platform identifies them. */
export interface Mention {
  kind: 'user' | 'group';
  id: string;
}

/** A short message without sections: progress, an error, a denial, a plain answer. */
export interface Notice {
  kind: 'notice';
  tone: 'info' | 'progress' | 'error';
  text: string;
  /** Monospaced block shown under the text (help output, plans, tables). */
  preformatted?: string;
  buttons?: ReportButton[];
  /** Pages to open, shown as buttons after `buttons`. */
  links?: LinkButton[];
  /** Called at the start of the message, so that they are notified where the platform can (ids of the platform the message is posted on). */
  mentions?: readonly Mention[];
}

/** What a command sends back to chat. */
export type Message = Report | Notice;

/** Builds a notice. */
export function notice(tone: Notice['tone'], text: string, preformatted?: string): Notice {
  return preformatted === undefined ? { kind: 'notice', tone, text } : { kind: 'notice', tone, text, preformatted };
}
