/**
 * Every studio view: the URL pattern (after `#`) it answers, the custom element that draws it, and its place in
 * the navigation. The shell matches the hash against these in order and mounts the element with the
 * ViewContext properties (api, role, params, navigate). Views of other helpers (analytics/) are listed here by
 * tag only: their modules define the elements.
 */
import type { Role } from "../api";

export interface ViewRoute {
  /** e.g. "/templates/:key"; `:name` segments become params. */
  pattern: string;
  tag: string;
  /** The document title's first part. */
  title: string;
  /** The navigation entry this route belongs to (highlighted while it is shown). */
  section: string;
}

export interface NavEntry {
  section: string;
  label: string;
  path: string;
  /** Roles that see the entry (all signed-in staff when absent). */
  roles?: readonly Role[];
}

export const NAV: readonly NavEntry[] = [
  { section: "templates", label: "Templates", path: "/templates" },
  { section: "rules", label: "Rules", path: "/rules" },
  { section: "segments", label: "Segments", path: "/segments" },
  { section: "policy", label: "Policy", path: "/policy" },
  { section: "mappings", label: "Mappings", path: "/mappings" },
  { section: "try", label: "Try it as a learner", path: "/try", roles: ["author", "admin"] },
  { section: "analytics", label: "Analytics", path: "/analytics" },
  { section: "experiments", label: "Experiments", path: "/experiments" },
  { section: "learners", label: "Learners", path: "/learners" },
];

export const ROUTES: readonly ViewRoute[] = [
  { pattern: "/templates", tag: "studio-templates", title: "Templates", section: "templates" },
  { pattern: "/templates/new", tag: "studio-template-editor", title: "New template", section: "templates" },
  { pattern: "/templates/:key", tag: "studio-template-editor", title: "Template", section: "templates" },
  { pattern: "/rules", tag: "studio-rules", title: "Rules", section: "rules" },
  { pattern: "/rules/new", tag: "studio-rule-editor", title: "New rule", section: "rules" },
  { pattern: "/rules/:key", tag: "studio-rule-editor", title: "Rule", section: "rules" },
  { pattern: "/segments", tag: "studio-segments", title: "Segments", section: "segments" },
  { pattern: "/segments/new", tag: "studio-segment-editor", title: "New segment", section: "segments" },
  { pattern: "/segments/:key", tag: "studio-segment-editor", title: "Segment", section: "segments" },
  { pattern: "/policy", tag: "studio-policy", title: "Policy", section: "policy" },
  { pattern: "/mappings", tag: "studio-mappings", title: "Mappings", section: "mappings" },
  { pattern: "/try", tag: "studio-try-learner", title: "Try it as a learner", section: "try" },
  { pattern: "/analytics", tag: "studio-analytics", title: "Analytics", section: "analytics" },
  { pattern: "/experiments", tag: "studio-experiments", title: "Experiments", section: "experiments" },
  { pattern: "/learners", tag: "studio-learner", title: "Learners", section: "learners" },
  { pattern: "/learners/:learnerId", tag: "studio-learner", title: "Learner", section: "learners" },
];

/** Where the studio opens when the URL names no view. */
export const HOME = "/templates";

/** The route a path (the hash without `#`, query and trailing slash ignored) shows, with its params; null when none. */
export function matchRoute(path: string): { route: ViewRoute; params: Record<string, string> } | null {
  const clean = path.split("?")[0].replace(/\/+$/, "") || "/";
  const parts = clean.split("/").filter(Boolean);
  for (const route of ROUTES) {
    const pattern = route.pattern.split("/").filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      if (pattern[i].startsWith(":")) {
        try {
          params[pattern[i].slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
        }
      } else ok = pattern[i] === parts[i];
    }
    if (ok) return { route, params };
  }
  return null;
}

/** The query part of a hash path as params (e.g. "#/templates/x?version=3"). */
export function queryOf(path: string): Record<string, string> {
  const query = path.split("?")[1];
  return query ? Object.fromEntries(new URLSearchParams(query)) : {};
}
