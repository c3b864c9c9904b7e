/** One message as the learner sees it: title, body, call to action, the answer form it asks for, the vote. */
import { html, nothing, type TemplateResult } from "lit";
import type { InboxMessage, ResponseSpec } from "./inbox-client";
import type { Strings } from "./i18n";
import { isSafeUrl, sanitizeBody } from "./sanitize";

/** What a card needs from the element: its words, per-message form state, and the actions. */
export interface CardContext {
  t: Strings;
  draft(id: string): string;
  error(id: string): string | undefined;
  busy(id: string): boolean;
  thanked(id: string): boolean;
  onDismiss(m: InboxMessage): void;
  onClick(m: InboxMessage): void;
  onVote(m: InboxMessage, vote: "helpful" | "not_helpful"): void;
  onDraft(m: InboxMessage, text: string): void;
  onAnswer(m: InboxMessage, value: unknown): void;
}

/** The card of one message. */
export function renderMessage(m: InboxMessage, c: CardContext): TemplateResult {
  const vote = m.engagement?.vote ?? null;
  return html`<li>
    <article part="message" data-id=${m.id} tabindex="-1" aria-labelledby="t-${m.id}">
      <header>
        <h3 id="t-${m.id}" part="title">${m.title}</h3>
        <button class="dismiss" part="dismiss" type="button" aria-label=${c.t.dismiss(m.title)} @click=${() => c.onDismiss(m)}>×</button>
      </header>
      <div class="body" part="body" .innerHTML=${bodyHtml(m.body)}></div>
      ${m.cta && isSafeUrl(m.cta.url) ? html`<a class="cta" part="cta" href=${m.cta.url} target="_blank" rel="noopener noreferrer" @click=${() => c.onClick(m)}>${m.cta.label}</a>` : nothing}
      ${m.response ? renderResponse(m, m.response, c) : nothing}
      <div class="vote" part="vote" role="group" aria-labelledby="v-${m.id}">
        <span id="v-${m.id}">${c.t.helpfulQuestion}</span>
        <button type="button" aria-pressed=${vote === "helpful" ? "true" : "false"} @click=${() => c.onVote(m, "helpful")}>${c.t.helpfulYes}</button>
        <button type="button" aria-pressed=${vote === "not_helpful" ? "true" : "false"} @click=${() => c.onVote(m, "not_helpful")}>${c.t.helpfulNo}</button>
        ${c.thanked(m.id) ? html`<span>${c.t.thanks}</span>` : nothing}
      </div>
    </article>
  </li>`;
}

function bodyHtml(body: string): string {
  const holder = document.createElement("div");
  holder.append(sanitizeBody(body));
  return holder.innerHTML;
}

function renderResponse(m: InboxMessage, spec: ResponseSpec, c: CardContext): TemplateResult {
  const answered = answerText(m, spec);
  if (answered !== null) {
    const label = spec.type === "scale" ? c.t.yourRating : c.t.yourAnswer;
    return html`<p class="answer" part="answer">${label}: ${answered}</p>`;
  }
  const error = c.error(m.id);
  const errorId = `e-${m.id}`;
  const errorLine = html`<div id=${errorId} class="error" part="error" role="alert">${error ?? ""}</div>`;
  if (spec.type === "scale") {
    const min = spec.min ?? 1;
    const max = spec.max ?? 5;
    const values = Array.from({ length: Math.max(0, max - min + 1) }, (_, i) => min + i);
    return html`<form part="form" @submit=${(e: Event) => submitScale(e, m, c)}>
      <fieldset class="scale" aria-describedby=${errorId} aria-invalid=${error ? "true" : "false"}>
        <legend>${c.t.yourRating}</legend>
        ${values.map((v) => html`<label><input type="radio" name="rating" value=${String(v)} />${String(v)}${spec.labels?.[String(v)] ? html` <span class="hint">${spec.labels[String(v)]}</span>` : nothing}</label>`)}
      </fieldset>
      ${errorLine}
      <button type="submit" ?disabled=${c.busy(m.id)}>${c.t.send}</button>
    </form>`;
  }
  const maxLength = spec.maxLength ?? 500;
  const draft = c.draft(m.id);
  const counterId = `c-${m.id}`;
  return html`<form part="form" @submit=${(e: Event) => submitText(e, m, c)}>
    <label for="a-${m.id}">${c.t.yourAnswer}</label>
    <textarea id="a-${m.id}" maxlength=${maxLength} .value=${draft} aria-describedby="${counterId} ${errorId}" aria-invalid=${error ? "true" : "false"}
      @input=${(e: Event) => c.onDraft(m, (e.target as HTMLTextAreaElement).value)}></textarea>
    <div id=${counterId} class="hint" part="counter">${c.t.charactersLeft(maxLength - draft.length)}</div>
    ${errorLine}
    <button type="submit" ?disabled=${c.busy(m.id)}>${c.t.send}</button>
  </form>`;
}

function submitText(e: Event, m: InboxMessage, c: CardContext): void {
  e.preventDefault();
  c.onAnswer(m, c.draft(m.id));
}

function submitScale(e: Event, m: InboxMessage, c: CardContext): void {
  e.preventDefault();
  const checked = (e.target as HTMLFormElement).querySelector<HTMLInputElement>("input[name=rating]:checked");
  c.onAnswer(m, checked ? Number(checked.value) : null);
}

/** The stored answer as text, or null when the learner has not answered yet. */
function answerText(m: InboxMessage, spec: ResponseSpec): string | null {
  const a = m.answer as unknown;
  if (a === null || a === undefined) return null;
  const value = typeof a === "object" ? ((a as { text?: unknown; value?: unknown; rating?: unknown }).text ?? (a as { value?: unknown }).value ?? (a as { rating?: unknown }).rating) : a;
  if (value === undefined || value === null) return null;
  const label = spec.type === "scale" ? spec.labels?.[String(value)] : undefined;
  return label ? `${String(value)} (${label})` : String(value);
}
