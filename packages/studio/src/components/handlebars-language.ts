/**
 * Handlebars highlighting for CodeMirror 6: a small StreamLanguage tokenizer. Text outside `{{ }}` is plain;
 * inside, comments, block keywords (#if, /each, else), helpers, paths, strings and numbers get their own
 * styles, so a typo'd path or an unclosed mustache stands out while typing.
 */
import { StreamLanguage, type StringStream } from "@codemirror/language";

interface State {
  /** Inside `{{ … }}` (or `{{{ … }}}`), and whether the next word is the mustache's first. */
  inMustache: boolean;
  first: boolean;
  /** Inside a `{{!-- … --}}` or `{{! … }}` comment; `long` for the dashed form. */
  comment: "none" | "short" | "long";
}

/** The helpers templates may call (src/templates/handlebars-instance.ts): highlighted as keywords. */
const HELPERS = new Set(["if", "unless", "each", "with", "else", "default", "formatDate", "pluralize", "percent", "eq", "ne", "lt", "lte", "gt", "gte", "and", "or", "not"]);

function tokenComment(stream: StringStream, state: State): string {
  const end = state.comment === "long" ? "--}}" : "}}";
  while (!stream.eol()) {
    if (stream.match(end)) {
      state.comment = "none";
      return "comment";
    }
    stream.next();
  }
  return "comment";
}

export const handlebarsLanguage = StreamLanguage.define<State>({
  name: "handlebars",
  startState: () => ({ inMustache: false, first: false, comment: "none" }),
  token(stream, state) {
    if (state.comment !== "none") return tokenComment(stream, state);
    if (!state.inMustache) {
      if (stream.match("{{!--")) {
        state.comment = "long";
        return tokenComment(stream, state);
      }
      if (stream.match("{{!")) {
        state.comment = "short";
        return tokenComment(stream, state);
      }
      if (stream.match(/^\{\{\{?~?[&#/^>]?/)) {
        state.inMustache = true;
        state.first = true;
        return "bracket";
      }
      // Plain text up to the next mustache.
      if (!stream.skipTo("{{")) stream.skipToEnd();
      return null;
    }
    if (stream.eatSpace()) return null;
    if (stream.match(/^~?\}\}\}?/)) {
      state.inMustache = false;
      return "bracket";
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'(?:[^'\\]|\\.)*'?/)) return "string";
    if (stream.match(/^-?\d+(\.\d+)?/)) return "number";
    if (stream.match(/^(true|false|null|undefined)\b/)) return "atom";
    if (stream.match(/^[A-Za-z_@][\w.@/-]*(\.\.\/)*/) || stream.match(/^(\.\.\/)+[\w.]*/) || stream.match(/^this\b/)) {
      const word = stream.current();
      const first = state.first;
      state.first = false;
      if (first && HELPERS.has(word)) return "keyword";
      if (word.startsWith("@")) return "atom";
      return "variableName";
    }
    if (stream.match(/^[A-Za-z_]\w*=/)) return "propertyName";
    if (stream.match(/^as \|/)) return "keyword";
    stream.next();
    return "punctuation";
  },
  blankLine() {
    // Nothing to carry: comments and mustaches may span lines and keep their state.
  },
  languageData: { commentTokens: { block: { open: "{{!--", close: "--}}" } } },
});
