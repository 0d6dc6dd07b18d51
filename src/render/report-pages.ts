import type { Report, ReportSection } from '../core/report.js';
import { contextLine } from './text.js';

/** A section on a page: the whole section, or a run of its lines when it is too long for one message. */
export interface PageSection {
  section: ReportSection;
  /** True for the second and later runs of a section's lines. */
  continued: boolean;
  /** The report's section this is (a run of). */
  source: ReportSection;
}

/**
 * One chat message of a report that a platform splits over several. The first page names every problem
 * section (in full where it fits, else in one line), packs the healthy ones by title, and carries the
 * buttons; the follow-ups, posted in its thread, carry the sections it could not show in full.
 */
export interface ReportPage {
  /** 0 for the first message. */
  index: number;
  /** How many messages the report takes; while pages are being fitted, the most it may take. */
  count: number;
  /** Sections (or runs of their lines) shown in full. */
  sections: PageSection[];
  /** First page: problem sections named in one line each, shown in full in a follow-up. */
  named: ReportSection[];
  /** First page: how many problem sections could not even be named for lack of room (shown in a follow-up). */
  unnamed: number;
  /** First page: healthy sections without lines (their ok lines folded), packed by title. */
  packed: ReportSection[];
  /** Last page: how many lines were left out because the report needs more than `maxPages` messages. */
  leftOut: number;
}

/** Whether a platform can send this page as one message within its limits. */
export type PageFits = (page: ReportPage) => boolean;

/** The most messages one report is split into: beyond that a thread stops being readable. */
export const maxReportPages = 20;

/** A `leftOut` count as wide as any real one, for fitting the last page before the count is known. */
const leftOutPlaceholder = 999_999;

/**
 * Splits a report into messages that each pass `fits`: the first names every problem section and packs
 * the healthy ones, showing sections in full in report order while they fit; the rest follow in order,
 * a section's lines split over messages only when the section does not fit one message by itself.
 */
export function paginateReport(report: Report, fits: PageFits, maxPages: number = maxReportPages): ReportPage[] {
  const problems = report.sections.filter((section) => section.status !== 'ok');
  const packed = report.sections.filter((section) => section.status === 'ok' && section.lines.length === 0);
  const queue: PageSection[] = report.sections
    .filter((section) => section.status !== 'ok' || section.lines.length > 0)
    .map((section) => ({ section, continued: false, source: section }));

  const first = firstPage(problems, packed, maxPages, fits);
  const pages: ReportPage[] = [first];
  fill(first, queue, fits);
  first.unnamed = problems.filter((section) => !first.named.includes(section) && !first.sections.some((entry) => entry.source === section)).length;
  while (queue.length > 0 && pages.length < maxPages) {
    const page = emptyPage(pages.length, maxPages);
    if (page.index === maxPages - 1) page.leftOut = leftOutPlaceholder;
    fill(page, queue, fits);
    if (page.sections.length === 0) page.sections.push(forceOne(queue));
    page.leftOut = 0;
    pages.push(page);
  }
  const last = pages.at(-1)!;
  last.leftOut = queue.reduce((sum, entry) => sum + entry.section.lines.length, 0);
  for (const page of pages) page.count = pages.length;
  return pages;
}

/** The first page before any section is shown in full: every problem section named (as many as fit), the healthy ones packed. */
function firstPage(problems: ReportSection[], packed: ReportSection[], maxPages: number, fits: PageFits): ReportPage {
  const page: ReportPage = { ...emptyPage(0, maxPages), named: [...problems], packed };
  while (page.named.length > 0 && !fits(page)) {
    page.named.pop();
    page.unnamed += 1;
  }
  return page;
}

function emptyPage(index: number, count: number): ReportPage {
  return { index, count, sections: [], named: [], unnamed: 0, packed: [], leftOut: 0 };
}

/**
 * Moves sections from the front of the queue onto the page while each fits whole; then, when the next one
 * would not fit a message of its own either, as many of its lines as fit.
 */
function fill(page: ReportPage, queue: PageSection[], fits: PageFits): void {
  while (queue.length > 0) {
    const next = queue[0]!;
    if (fits(withSection(page, next))) {
      place(page, next);
      queue.shift();
      continue;
    }
    if (next.section.lines.length > 1 && !fitsAlone(next, page.count, fits)) {
      const kept = longestFittingRun(page, next, fits);
      if (kept > 0) {
        place(page, firstLines(next, kept));
        queue[0] = rest(next, kept);
      }
    }
    return;
  }
}

function fitsAlone(entry: PageSection, count: number, fits: PageFits): boolean {
  return fits(withSection(emptyPage(1, count), entry));
}

/** The most lines of the section that fit on the page after what it holds, by bisection. */
function longestFittingRun(page: ReportPage, entry: PageSection, fits: PageFits): number {
  let low = 0;
  let high = entry.section.lines.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(withSection(page, firstLines(entry, middle)))) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** One line of the queue's first section, on a page of its own: what no page can hold is still shown, cut by the renderer. */
function forceOne(queue: PageSection[]): PageSection {
  const next = queue[0]!;
  if (next.section.lines.length <= 1) return queue.shift()!;
  queue[0] = rest(next, 1);
  return firstLines(next, 1);
}

function firstLines(entry: PageSection, count: number): PageSection {
  return { ...entry, section: { ...entry.section, lines: entry.section.lines.slice(0, count) } };
}

function rest(entry: PageSection, from: number): PageSection {
  const { foldedOk: _folded, ...section } = entry.section;
  return { section: { ...section, lines: entry.section.lines.slice(from) }, continued: true, source: entry.source };
}

function withSection(page: ReportPage, entry: PageSection): ReportPage {
  return { ...page, sections: [...page.sections, entry], named: page.named.filter((section) => section !== entry.source) };
}

function place(page: ReportPage, entry: PageSection): void {
  page.sections.push(entry);
  page.named = page.named.filter((section) => section !== entry.source);
}

/** What a problem section named in one line says: its first (worst) line, and how many more lines it has. */
export function problemHeadline(section: ReportSection): string {
  const [worst, ...others] = section.lines;
  if (!worst) return section.status;
  const headline = worst.value ? `${worst.label}: ${worst.value}` : worst.label;
  return others.length > 0 ? `${headline} (+${others.length} more)` : headline;
}

/** The heading of the problem sections the first page only names. */
export const namedHeading = 'Also needing attention, in full in the next messages';

/** "3 targets ok", for the packed healthy sections. */
export function packedCount(sections: readonly ReportSection[]): string {
  return `${sections.length} target${sections.length === 1 ? '' : 's'} ok`;
}

/** The titles of the packed sections, "a, b, c", cut to at most `maxChars` with a count of the rest. */
export function packedNames(sections: readonly ReportSection[], maxChars: number): string {
  let names = '';
  for (const [index, section] of sections.entries()) {
    const next = names ? `${names}, ${section.title}` : section.title;
    const left = sections.length - index - 1;
    const reserve = left > 0 ? `, … and ${left} more`.length : 0;
    if (names && next.length + reserve > maxChars) return `${names}, … and ${sections.length - index} more`;
    names = next;
  }
  return names;
}

/** "--verbose shows their 12 ok lines", when the packed sections fold any. */
export function packedHint(sections: readonly ReportSection[]): string | undefined {
  const folded = sections.reduce((sum, section) => sum + (section.foldedOk ?? 0), 0);
  return folded > 0 ? `--verbose shows their ${folded} ok line${folded === 1 ? '' : 's'}` : undefined;
}

/** The small print at the end of a page: lines left out (last page); the follow-ups, who asked and how long it took (first page). */
export function pageNotes(report: Report, page: ReportPage): string[] {
  const more = page.count - 1;
  const notes = [leftOutNote(page)];
  if (page.index === 0) notes.push(more > 0 ? `continued in ${more} more message${more === 1 ? '' : 's'}` : undefined, contextLine(report));
  return notes.filter((note): note is string => note !== undefined);
}

/** The heading of a follow-up, e.g. "Health · continued, 2 of 3". */
export function followUpHeading(report: Report, page: ReportPage): string {
  return `${report.title} · continued, ${page.index + 1} of ${page.count}`;
}

function leftOutNote(page: ReportPage): string | undefined {
  return page.leftOut > 0 ? `… ${page.leftOut} more line${page.leftOut === 1 ? '' : 's'} left out: too many for one thread` : undefined;
}

/** The first page's word on problem sections it had no room to name, if any. */
export function unnamedNote(page: ReportPage): string | undefined {
  return page.unnamed > 0 ? `… and ${page.unnamed} more needing attention, in the next messages` : undefined;
}
