/** The widget's look: every colour, radius and font is a CSS custom property, every block a ::part. */
import { css } from "lit";

export const inboxStyles = css`
  :host {
    display: block;
    font-family: var(--coach-inbox-font, system-ui, sans-serif);
    color: var(--coach-inbox-fg, #1f2328);
    --_accent: var(--coach-inbox-accent, #0b57d0);
    --_muted: var(--coach-inbox-muted, #57606a);
    --_bg: var(--coach-inbox-bg, #ffffff);
    --_card: var(--coach-inbox-card-bg, #f6f8fa);
    --_border: var(--coach-inbox-border, #d0d7de);
    --_radius: var(--coach-inbox-radius, 8px);
    --_error: var(--coach-inbox-error, #b3261e);
  }
  section { background: var(--_bg); padding: 0.75rem; border-radius: var(--_radius); }
  h2 { font-size: 1.1rem; margin: 0 0 0.5rem; }
  ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem; }
  article { background: var(--_card); border: 1px solid var(--_border); border-radius: var(--_radius); padding: 0.75rem; overflow-wrap: anywhere; }
  article:focus-visible, button:focus-visible, a:focus-visible, textarea:focus-visible, input:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
  header { display: flex; align-items: flex-start; justify-content: space-between; gap: 0.5rem; }
  h3 { font-size: 1rem; margin: 0; }
  .body { margin: 0.5rem 0; line-height: 1.45; }
  .dismiss { background: none; border: 1px solid transparent; border-radius: var(--_radius); color: var(--_muted); font-size: 1.25rem; line-height: 1; min-width: 2rem; min-height: 2rem; cursor: pointer; }
  .dismiss:hover { border-color: var(--_border); }
  .cta { display: inline-block; background: var(--_accent); color: #fff; border-radius: var(--_radius); padding: 0.4rem 0.8rem; text-decoration: none; font-weight: 600; }
  .vote { display: flex; align-items: center; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.75rem; color: var(--_muted); font-size: 0.9rem; }
  .vote button, form button { border: 1px solid var(--_accent); background: var(--_bg); color: var(--_accent); border-radius: var(--_radius); padding: 0.25rem 0.75rem; min-height: 2rem; cursor: pointer; font: inherit; }
  .vote button[aria-pressed="true"], form button[type="submit"] { background: var(--_accent); color: #fff; }
  form { margin-top: 0.5rem; display: grid; gap: 0.35rem; }
  textarea { font: inherit; min-height: 4rem; padding: 0.4rem; border: 1px solid var(--_border); border-radius: var(--_radius); resize: vertical; }
  fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem; }
  legend { margin-bottom: 0.25rem; }
  .scale label { display: inline-flex; align-items: center; gap: 0.25rem; }
  .hint { color: var(--_muted); font-size: 0.85rem; }
  .error { color: var(--_error); font-size: 0.9rem; }
  .answer { margin-top: 0.5rem; font-style: italic; }
  .status-line { color: var(--_muted); font-size: 0.9rem; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
