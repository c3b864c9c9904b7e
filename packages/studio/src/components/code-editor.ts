/**
 * <studio-code-editor>: CodeMirror 6 for Handlebars, SQL and JSON, labelled for screen readers, wrapping long
 * lines (no sideways scrolling on a phone), with problems marked in place at their line and column. Tab moves
 * focus on (CodeMirror leaves Tab alone unless told otherwise), so the editor never traps the keyboard.
 *
 * Properties: value, language ("handlebars" | "sql" | "json" | "text"), label, readonly, singleLine,
 * describedBy (ids of the messages about it), marks ([{line, column, message}]). Fires `editor-input`
 * (detail: the new text) on every edit.
 */
import { minimalSetup } from "codemirror";
import { Annotation, Compartment, EditorState, StateEffect, StateField, type Extension } from "@codemirror/state";
import { Decoration, EditorView, lineNumbers, type DecorationSet } from "@codemirror/view";
import { json } from "@codemirror/lang-json";
import { PostgreSQL, sql } from "@codemirror/lang-sql";
import { handlebarsLanguage } from "./handlebars-language";

export interface EditorMark {
  line: number;
  column: number;
  message: string;
}

const setMarks = StateEffect.define<EditorMark[]>();

/** Marks a change made by setting `value` (not by the user): no `editor-input` for it, or a re-render echoes back. */
const programmatic = Annotation.define<boolean>();

/** Problem marks: the character at each line/column underlined, its line tinted, the message as a tooltip. */
const marksField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    decorations = decorations.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setMarks)) continue;
      const doc = tr.state.doc;
      const ranges = effect.value.flatMap((mark) => {
        const line = doc.line(Math.min(Math.max(1, mark.line), doc.lines));
        const from = Math.min(line.from + Math.max(0, mark.column - 1), line.to);
        const to = Math.min(from + Math.max(1, wordLength(line.text, from - line.from)), line.to);
        const out = [Decoration.line({ class: "cm-problem-line" }).range(line.from)];
        if (to > from) out.push(Decoration.mark({ class: "cm-problem", attributes: { title: mark.message } }).range(from, to));
        return out;
      });
      decorations = Decoration.set(ranges, true);
    }
    return decorations;
  },
  provide: (field) => EditorView.decorations.from(field),
});

function wordLength(text: string, at: number): number {
  const match = /^[^\s}]+/.exec(text.slice(at));
  return match ? match[0].length : 1;
}

const theme = EditorView.theme({
  "&": { border: "1px solid #6b7280", borderRadius: "6px", background: "#fff", fontSize: "0.95rem" },
  "&.cm-focused": { outline: "3px solid #1d4ed8", outlineOffset: "2px" },
  ".cm-content": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", minHeight: "2.2em", padding: "6px 0" },
  ".cm-gutters": { color: "#374151", background: "#f3f4f6", borderRight: "1px solid #d1d5db" },
  ".cm-problem": { textDecoration: "underline wavy #b91c1c", textDecorationSkipInk: "none" },
  ".cm-problem-line": { background: "#fef2f2" },
  // No inner scrolling: the editor grows with its text (a scroll box would be a second, keyboard-unreachable scroller).
  ".cm-scroller": { overflow: "visible" },
});

function languageOf(name: string): Extension {
  if (name === "handlebars") return handlebarsLanguage;
  if (name === "sql") return sql({ dialect: PostgreSQL });
  if (name === "json") return json();
  return [];
}

export class CodeEditor extends HTMLElement {
  private view: EditorView | null = null;
  private readonly access = new Compartment();
  private readonly editable = new Compartment();
  private pending = { value: "", language: "text", label: "", readonly: false, singleLine: false, describedBy: "", marks: [] as EditorMark[] };

  get value(): string {
    return this.view ? this.view.state.doc.toString() : this.pending.value;
  }

  set value(text: string) {
    this.pending.value = text ?? "";
    if (this.view && this.view.state.doc.toString() !== this.pending.value) {
      this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: this.pending.value }, annotations: programmatic.of(true) });
    }
  }

  set language(name: string) {
    this.pending.language = name;
  }

  set singleLine(on: boolean) {
    this.pending.singleLine = on;
  }

  set label(text: string) {
    this.pending.label = text;
    this.reconfigureAccess();
  }

  set describedBy(ids: string) {
    this.pending.describedBy = ids;
    this.reconfigureAccess();
  }

  set readonly(on: boolean) {
    this.pending.readonly = on;
    this.view?.dispatch({ effects: this.editable.reconfigure(this.editableExtension()) });
  }

  set marks(marks: EditorMark[]) {
    this.pending.marks = marks ?? [];
    this.reconfigureAccess();
    this.view?.dispatch({ effects: setMarks.of(this.pending.marks) });
  }

  /** Inserts text at the cursor (the variables panel's "insert"), then focuses the editor. */
  insert(text: string): void {
    if (!this.view || this.pending.readonly) return;
    const { from, to } = this.view.state.selection.main;
    this.view.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length } });
    this.view.focus();
  }

  override focus(): void {
    this.view?.focus();
  }

  connectedCallback(): void {
    if (this.view) return;
    const p = this.pending;
    this.view = new EditorView({
      parent: this,
      state: EditorState.create({
        doc: p.value,
        extensions: [
          minimalSetup,
          p.singleLine ? [] : lineNumbers(),
          EditorView.lineWrapping,
          languageOf(p.language),
          theme,
          marksField,
          this.access.of(this.accessExtension()),
          this.editable.of(this.editableExtension()),
          p.singleLine ? EditorState.transactionFilter.of((tr) => (tr.docChanged && tr.newDoc.lines > 1 && !tr.annotation(programmatic) ? [] : tr)) : [],
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            this.pending.value = update.state.doc.toString();
            if (update.transactions.every((tr) => tr.annotation(programmatic))) return;
            this.dispatchEvent(new CustomEvent("editor-input", { detail: this.pending.value, bubbles: true }));
          }),
        ],
      }),
    });
    if (p.marks.length) this.view.dispatch({ effects: setMarks.of(p.marks) });
  }

  disconnectedCallback(): void {
    this.view?.destroy();
    this.view = null;
  }

  private accessExtension(): Extension {
    const p = this.pending;
    return EditorView.contentAttributes.of({
      "aria-label": p.label,
      ...(p.describedBy ? { "aria-describedby": p.describedBy } : {}),
      ...(p.marks.length ? { "aria-invalid": "true" } : {}),
      ...(p.singleLine ? { "aria-multiline": "false" } : {}),
    });
  }

  private editableExtension(): Extension {
    return [EditorView.editable.of(!this.pending.readonly), EditorState.readOnly.of(this.pending.readonly)];
  }

  private reconfigureAccess(): void {
    this.view?.dispatch({ effects: this.access.reconfigure(this.accessExtension()) });
  }
}

if (!customElements.get("studio-code-editor")) customElements.define("studio-code-editor", CodeEditor);
