import type { LinkButton } from './report.js';

/** The link button to a runbook's documentation (its `url:`). */
export function docsLink(url: string): LinkButton {
  return { label: 'Docs', url };
}

/** The link button to a target's dashboard (its `dashboard_url:`). */
export function dashboardLink(url: string): LinkButton {
  return { label: 'Dashboard', url };
}

/** Finds a target's dashboard URL by its name; undefined for a target without one. */
export type DashboardOf = (target: string) => string | undefined;

/** The dashboard link of a target, as a list: empty when it has none. */
export function dashboardLinks(dashboardOf: DashboardOf | undefined, target: string): LinkButton[] {
  const url = dashboardOf?.(target);
  return url ? [dashboardLink(url)] : [];
}
