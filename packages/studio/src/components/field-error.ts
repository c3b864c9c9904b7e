/**
 * The API's errors next to the field they name: a form asks for the message of a body path (e.g.
 * "variants[1].body") and shows it under the field, linked by aria-describedby; what names no field shows
 * at the top of the form.
 */
import { html, nothing, type TemplateResult } from "lit";
import { ApiProblem } from "../api";

/** The message under a field, or nothing. `id` is what the field's aria-describedby points at. */
export function fieldError(problem: unknown, path: string, id: string): TemplateResult | typeof nothing {
  const message = problem instanceof ApiProblem ? problem.fieldMessage(path) : undefined;
  return message ? html`<p class="field-error" id=${id}>${message}</p>` : nothing;
}

/** The problem's own message (and the errors no field on the form shows), for the top of a form. */
export function formError(problem: unknown, shownPaths: string[] = []): TemplateResult | typeof nothing {
  if (!problem) return nothing;
  if (!(problem instanceof ApiProblem)) return html`<p class="form-error" role="alert">${String((problem as Error).message ?? problem)}</p>`;
  const unshown = problem.errors.filter((e) => !shownPaths.some((p) => e.path === p || e.path.startsWith(`${p}.`) || e.path.startsWith(`${p}[`)));
  return html`<div class="form-error" role="alert">
    <p>${explainStatus(problem)}</p>
    ${unshown.length ? html`<ul>${unshown.map((e) => html`<li>${e.path ? html`<code>${e.path}</code>: ` : nothing}${e.message}</li>`)}</ul>` : nothing}
  </div>`;
}

/** The problem in words a staff member can act on. */
export function explainStatus(problem: ApiProblem): string {
  if (problem.status === 0) return problem.detail;
  if (problem.status === 401) return "Your key was not accepted (it may have been revoked). Sign in again.";
  if (problem.status === 403) return `Your role may not do this: ${problem.detail}`;
  if (problem.status === 409) return `Someone changed this meanwhile: ${problem.detail}`;
  if (problem.status === 429) return "Too many requests: wait a moment and try again.";
  if (problem.status >= 500) return `The engine could not do this right now (${problem.status}): ${problem.detail}`;
  return problem.detail;
}

/** aria-describedby for a field: its hint and, when there is one, its error. */
export function describedBy(problem: unknown, path: string, errorId: string, hintId?: string): string {
  const hasError = problem instanceof ApiProblem && problem.fieldMessage(path) !== undefined;
  return [hintId, hasError ? errorId : undefined].filter(Boolean).join(" ");
}
