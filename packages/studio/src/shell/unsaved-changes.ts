/**
 * Unsaved edits, wherever they are: a view marks its draft dirty or clean, and the shell asks before any
 * navigation (in-app links, Back, sign-out) and lets the browser ask before a reload or a closed tab.
 */
const dirty = new Set<string>();

/** Marks one owner's edits (e.g. "template:quiz-retry") as unsaved or saved/discarded. */
export function markUnsaved(owner: string, unsaved: boolean): void {
  if (unsaved) dirty.add(owner);
  else dirty.delete(owner);
}

/** True while any view holds edits not yet saved. */
export function hasUnsavedChanges(): boolean {
  return dirty.size > 0;
}

/** Forgets every draft (after the user chose to leave them). */
export function discardUnsavedChanges(): void {
  dirty.clear();
}

window.addEventListener("beforeunload", (event) => {
  if (!hasUnsavedChanges()) return;
  event.preventDefault();
  // Older browsers show the prompt only when returnValue is set.
  event.returnValue = "";
});
