/**
 * A modal question ("Delete rule quiz-retry?", "Publish version 3?", "Leave without saving?") as a native
 * <dialog>: the browser keeps focus inside it and closes it on Escape; focus starts on the safe choice and
 * returns to where it was. Resolves true only for the confirming button.
 */
import { html, render, type TemplateResult } from "lit";

export interface ConfirmOptions {
  title: string;
  /** What will happen, in words (may include a list, e.g. the warnings a publish would ship). */
  body: TemplateResult | string;
  confirmLabel: string;
  cancelLabel?: string;
  /** Styles the confirming button as destructive. */
  danger?: boolean;
}

let counter = 0;

/** Shows the dialog and waits for the answer. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  const previous = document.activeElement as HTMLElement | null;
  const id = `confirm-${++counter}`;
  const dialog = document.createElement("dialog");
  dialog.className = "confirm-dialog";
  dialog.setAttribute("aria-labelledby", `${id}-title`);
  dialog.setAttribute("aria-describedby", `${id}-body`);
  document.body.append(dialog);
  return new Promise((resolve) => {
    const finish = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      previous?.focus?.();
      resolve(answer);
    };
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(false);
    });
    render(
      html`
      <h2 id="${id}-title">${options.title}</h2>
      <div id="${id}-body" class="dialog-body">${options.body}</div>
      <div class="actions">
        <button type="button" class="secondary" data-answer="no" @click=${() => finish(false)}>${options.cancelLabel ?? "Cancel"}</button>
        <button type="button" class=${options.danger ? "danger" : "primary"} data-answer="yes" @click=${() => finish(true)}>${options.confirmLabel}</button>
      </div>`,
      dialog,
    );
    dialog.showModal();
    (dialog.querySelector("[data-answer=no]") as HTMLButtonElement).focus();
  });
}
