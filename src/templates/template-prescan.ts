/**
 * A linear pass over template text before Handlebars sees it. Handlebars' parser, compiler and our
 * AST walks all recurse, and the parser slows down quadratically with nesting: a 15 KB body nested
 * 3,000 levels deep held the event loop for 42 s. This scanner mirrors the Handlebars lexer closely
 * enough to count nesting (blocks, `{{else …}}` chains and subexpressions together) and tokens, and
 * stops at the first limit crossed, so refusing hostile text costs one read of it.
 *
 * Where the scanner and the lexer could disagree it errs towards counting more: escaped `\{{`,
 * comments, strings and `[bracketed]` segments follow the lexer's own rules (handlebars.l).
 */

/** Blocks, `{{else if}}` chains and `(subexpressions)` may nest this deep, counted together. */
export const MAX_TEMPLATE_NESTING = 32;

/**
 * Tokens (paths, literals, parentheses, mustache delimiters…) one source may hold. Parsing costs about
 * 5 µs a token and compiling about 20 µs, so this keeps a preview well inside 100 ms of CPU; the longest
 * built-in body uses 46.
 */
export const MAX_TEMPLATE_TOKENS = 1_000;

/** What the scan found: the first limit crossed (1-based line and column) and the size for budgeting. */
export interface TemplateScan {
  /** Null when every limit holds. */
  problem: { message: string; line: number; column: number } | null;
  tokens: number;
  maxNesting: number;
}

const WHITESPACE = /\s/;
/** Characters that end a word inside a mustache (each is a token of its own, or whitespace). */
const DELIMITERS = new Set(["(", ")", "=", "|", "@", ".", "/", '"', "'", "[", "~", "}"]);

/** Scans `source` once; never recurses and never looks at a character more than a constant number of times. */
export function scanTemplate(source: string): TemplateScan {
  return new Scanner(source).run();
}

class Scanner {
  private pos = 0;
  private tokens = 0;
  private nesting = 0;
  private maxNesting = 0;
  /** For each open block: how many `{{else …}}` chain links it holds (each nests one level deeper). */
  private readonly blocks: number[] = [];
  private problem: TemplateScan["problem"] = null;

  constructor(private readonly text: string) {}

  run(): TemplateScan {
    while (!this.problem && this.pos < this.text.length) {
      const open = this.text.indexOf("{{", this.pos);
      if (open < 0) break;
      if (this.isEscaped(open)) {
        // `\{{` is text; the lexer's "emu" state runs to the next `{{` at least two characters on.
        this.pos = open + 2;
        this.count(1, open);
        continue;
      }
      this.mustache(open);
    }
    return { problem: this.problem, tokens: this.tokens, maxNesting: this.maxNesting };
  }

  /** `\{{` is escaped, `\\{{` is a backslash then a real mustache (handlebars.l, rule 0). */
  private isEscaped(open: number): boolean {
    return open > 0 && this.text[open - 1] === "\\" && !(open > 1 && this.text[open - 2] === "\\");
  }

  private mustache(open: number): void {
    const text = this.text;
    let p = open + 2;
    this.count(1, open);
    if (text.startsWith("{{", p)) p += 2; // `{{{{raw}}}}`: refused later; its content is scanned as mustaches (counts more, never less)
    if (text[p] === "~") p += 1;
    const kind = text[p];
    if (kind === "!") {
      this.pos = this.commentEnd(open, p);
      return;
    }
    if (kind === "#") {
      this.blocks.push(0);
      this.deeper(1, open);
      p += 1;
    } else if (kind === "/") {
      const chain = this.blocks.pop();
      if (chain !== undefined) this.nesting -= 1 + chain;
      p += 1;
    } else if (kind === "^") {
      p += 1;
      if (!this.plainInverseAhead(p)) {
        this.blocks.push(0);
        this.deeper(1, open);
      }
    } else {
      const afterSpace = skipSpace(text, p);
      if (text.startsWith("else", afterSpace) && !/[A-Za-z0-9_]/.test(text[afterSpace + 4] ?? "")) {
        const rest = skipSpace(text, afterSpace + 4);
        const plain = text.startsWith("}}", rest) || text.startsWith("~}}", rest);
        if (!plain && this.blocks.length > 0) {
          this.blocks[this.blocks.length - 1] += 1;
          this.deeper(1, open);
        }
        p = afterSpace + 4;
      }
    }
    this.pos = this.inside(p);
  }

  /** `{{^}}` (an else) as opposed to `{{^name}}` (an inverse block): only whitespace and `~` before `}}`. */
  private plainInverseAhead(p: number): boolean {
    const rest = skipSpace(this.text, p);
    return this.text.startsWith("}}", rest) || this.text.startsWith("~}}", rest);
  }

  /** Where a comment ends: `{{!-- … --}}` at the first `--}}` / `--~}}`, `{{! … }}` at the first `}}`. */
  private commentEnd(open: number, bang: number): number {
    const long = this.text.startsWith("--", bang + 1);
    let search = long ? bang + 1 : bang;
    for (;;) {
      const close = this.text.indexOf("}}", search);
      if (close < 0) return this.text.length;
      if (!long) return close + 2;
      const before = this.text.slice(Math.max(open, close - 3), close);
      if (before.endsWith("--") || before.endsWith("--~")) return close + 2;
      search = close + 1;
    }
  }

  /** Scans a mustache's inside from `p` to its closing braces; returns the position after them. */
  private inside(p: number): number {
    const text = this.text;
    let parens = 0;
    while (p < text.length && !this.problem) {
      const c = text[p];
      if (WHITESPACE.test(c)) {
        p += 1;
        continue;
      }
      if (c === "}" && text[p + 1] === "}") {
        this.count(1, p);
        this.nesting -= parens;
        return text[p + 2] === "}" ? p + 3 : p + 2;
      }
      if (c === "}" && text[p + 1] === "~" && text.startsWith("}}", p + 2)) {
        this.nesting -= parens;
        return p + 4;
      }
      this.count(1, p);
      if (c === "(") {
        parens += 1;
        this.deeper(1, p);
        p += 1;
      } else if (c === ")") {
        if (parens > 0) {
          parens -= 1;
          this.nesting -= 1;
        }
        p += 1;
      } else if (c === '"' || c === "'") {
        const end = literalEnd(text, p, c);
        if (end < 0) return text.length; // the lexer stops here too ("Parse error")
        p = end + 1;
      } else if (c === "[") {
        const end = literalEnd(text, p, "]");
        if (end < 0) return text.length;
        p = end + 1;
      } else if (text.startsWith("{{", p)) {
        // A mustache opened inside another is a parse error; count it as the lexer would and go on.
        p += 2;
      } else if (DELIMITERS.has(c)) {
        p += 1;
      } else {
        while (p < text.length && !WHITESPACE.test(text[p]) && !DELIMITERS.has(text[p]) && !text.startsWith("{{", p)) p += 1;
      }
    }
    this.nesting -= parens;
    return p;
  }

  private count(n: number, at: number): void {
    this.tokens += n;
    if (this.tokens > MAX_TEMPLATE_TOKENS && !this.problem) {
      this.fail(`Template has more than ${MAX_TEMPLATE_TOKENS} expression tokens; split it or simplify it`, at);
    }
  }

  private deeper(n: number, at: number): void {
    this.nesting += n;
    if (this.nesting > this.maxNesting) this.maxNesting = this.nesting;
    if (this.nesting > MAX_TEMPLATE_NESTING && !this.problem) {
      this.fail(`Template expressions nest more than ${MAX_TEMPLATE_NESTING} levels deep (blocks, {{else …}} chains and (subexpressions) count together)`, at);
    }
  }

  private fail(message: string, at: number): void {
    this.problem = { message, ...lineAndColumn(this.text, at) };
  }
}

function skipSpace(text: string, p: number): number {
  while (p < text.length && WHITESPACE.test(text[p])) p += 1;
  return p;
}

/**
 * The index of the character closing a string (`"…"`, `'…'`) or bracketed segment (`[…]`) opened at
 * `start`, as the lexer's `"(\\["]|[^"])*"` finds it: the first unescaped closer, or else (the regex
 * backtracks) the last escaped one; -1 when there is neither (a lexical error).
 */
function literalEnd(text: string, start: number, closer: string): number {
  let lastEscaped = -1;
  for (let p = start + 1; p < text.length; p += 1) {
    if (text[p] === "\\" && text[p + 1] === closer) {
      lastEscaped = p + 1;
      p += 1;
    } else if (text[p] === closer) {
      return p;
    }
  }
  return lastEscaped;
}

/** 1-based line and column of an offset, counting `\r\n`, `\r` and `\n` as line breaks as Handlebars does. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let p = 0; p < offset; p += 1) {
    const c = text.charCodeAt(p);
    if (c === 10 || (c === 13 && text.charCodeAt(p + 1) !== 10)) {
      line += 1;
      lineStart = p + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
