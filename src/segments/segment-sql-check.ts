/**
 * The gate in front of SQL segments: staff SQL is parsed by PostgreSQL's own parser (libpg-query) and accepted
 * only as exactly one SELECT over the analyst relations calling allow-listed functions. The whole tree is
 * walked generically: every node kind must be one a read-only query is built from, so a node kind this file
 * has never heard of (a new statement, a new expression) is refused rather than let through.
 *
 * On a PostgreSQL server this is the first of three walls (then a role that can only read those relations, on
 * connections of its own); on the embedded database, one session shared with the engine, it is the guard.
 */
import { loadModule, parseSync, scanSync } from "libpg-query";
import { ANALYST_SCHEMA, ANALYST_TABLES } from "../db/analyst-relations";
import { ALLOWED_FUNCTIONS, ALLOWED_TYPES } from "./segment-sql-allowlist";
import { invalidSegmentSql, nearText } from "./segment-sql-errors";

/** A parsed node body: the parser's JSON for one node, without its tag. */
type NodeBody = Record<string, unknown>;

/** SQL that passed the check: the text to run and its SELECT, as the parser saw it. */
export interface CheckedSegmentSql {
  text: string;
  select: NodeBody;
}

/** Deeper than this is no hand-written query; refused before it can exhaust a stack. */
const MAX_DEPTH = 200;

/** Node kinds a read-only query is made of. Anything else is refused. */
const ALLOWED_NODES = new Set([
  "SelectStmt",
  "ResTarget",
  "ColumnRef",
  "A_Star",
  "A_Const",
  "Integer",
  "Float",
  "Boolean",
  "String",
  "BitString",
  "A_Expr",
  "BoolExpr",
  "NullTest",
  "BooleanTest",
  "TypeCast",
  "TypeName",
  "CollateClause",
  "FuncCall",
  "WindowDef",
  "SortBy",
  "SubLink",
  "CaseExpr",
  "CaseWhen",
  "CoalesceExpr",
  "MinMaxExpr",
  "RowExpr",
  "A_ArrayExpr",
  "A_Indices",
  "A_Indirection",
  "NamedArgExpr",
  "SQLValueFunction",
  "GroupingSet",
  "GroupingFunc",
  "RangeVar",
  "RangeSubselect",
  "RangeFunction",
  "JoinExpr",
  "CommonTableExpr",
  "WithClause",
  "CTESearchClause",
  "CTECycleClause",
  "Alias",
  "List",
  "ColumnDef",
]);

/**
 * Fields whose value the parser writes without a tag (a typed struct rather than a generic node), by
 * `<parent kind>.<field>`; `*.alias` for any parent. An untagged object under any other field is refused.
 */
const TYPED_FIELDS: Record<string, string> = {
  "*.alias": "Alias",
  "JoinExpr.join_using_alias": "Alias",
  "TypeCast.typeName": "TypeName",
  "ColumnDef.typeName": "TypeName",
  "ColumnDef.collClause": "CollateClause",
  "FuncCall.over": "WindowDef",
  "SelectStmt.withClause": "WithClause",
  "SelectStmt.larg": "SelectStmt",
  "SelectStmt.rarg": "SelectStmt",
  "SelectStmt.intoClause": "IntoClause",
  "CommonTableExpr.search_clause": "CTESearchClause",
  "CommonTableExpr.cycle_clause": "CTECycleClause",
  "A_Const.ival": "Integer",
  "A_Const.fval": "Float",
  "A_Const.sval": "String",
  "A_Const.boolval": "Boolean",
  "A_Const.bsval": "BitString",
};

const STATEMENT_NAMES: Record<string, string> = {
  InsertStmt: "an INSERT",
  UpdateStmt: "an UPDATE",
  DeleteStmt: "a DELETE",
  MergeStmt: "a MERGE",
  CopyStmt: "a COPY",
  VariableSetStmt: "a SET",
  VariableShowStmt: "a SHOW",
  DoStmt: "a DO",
  CallStmt: "a CALL",
  TransactionStmt: "a transaction control",
  ExplainStmt: "an EXPLAIN",
  CreateStmt: "a CREATE TABLE",
  CreateTableAsStmt: "a CREATE TABLE AS",
  ViewStmt: "a CREATE VIEW",
  DropStmt: "a DROP",
  TruncateStmt: "a TRUNCATE",
  AlterTableStmt: "an ALTER TABLE",
  GrantStmt: "a GRANT",
  GrantRoleStmt: "a GRANT",
  CreateFunctionStmt: "a CREATE FUNCTION",
  DeclareCursorStmt: "a DECLARE",
  FetchStmt: "a FETCH",
  PrepareStmt: "a PREPARE",
  ExecuteStmt: "an EXECUTE",
  LockStmt: "a LOCK",
  ListenStmt: "a LISTEN",
  NotifyStmt: "a NOTIFY",
  DiscardStmt: "a DISCARD",
  VacuumStmt: "a VACUUM",
  CreateRoleStmt: "a CREATE ROLE",
  AlterRoleStmt: "an ALTER ROLE",
  CreateExtensionStmt: "a CREATE EXTENSION",
};

const DATA_CHANGES = new Set(["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"]);

let parserReady: Promise<void> | null = null;

/** Loads the parser's WebAssembly once per process. */
function ready(): Promise<void> {
  parserReady ??= loadModule();
  return parserReady;
}

/**
 * Checks staff SQL; returns the text to run (a trailing `;` removed) and its parsed SELECT, or throws a
 * ValidationError for `sql` naming the reason ("calls set_config, which segment SQL may not use").
 */
export async function checkSegmentSql(sql: string): Promise<CheckedSegmentSql> {
  await ready();
  const text = sql.replace(/[\s;]+$/, "");
  if (!text.trim()) throw invalidSegmentSql("is empty; it must be one SELECT returning learner_id");
  const stmts = parseStatements(text);
  if (stmts.length === 0) throw invalidSegmentSql("is empty; it must be one SELECT returning learner_id");
  if (stmts.length > 1) throw invalidSegmentSql(`is ${stmts.length} statements; segment SQL must be exactly one SELECT`);
  const [tag, body] = tagOf(stmts[0].stmt);
  if (tag !== "SelectStmt") throw invalidSegmentSql(`is ${STATEMENT_NAMES[tag] ?? `a ${tag.replace(/Stmt$/, "")}`} statement; segment SQL must be exactly one SELECT`);
  new TreeCheck().node("SelectStmt", body, new Set(), 0);
  return { text, select: body };
}

/** Parses `text` (synchronously: one parse of at most 20 KB), refusing with the parser's position on error. */
export function parseStatements(text: string): Array<{ stmt: unknown }> {
  try {
    return (parseSync(text) as { stmts?: Array<{ stmt: unknown }> }).stmts ?? [];
  } catch (error) {
    const statements = countStatements(text);
    if (statements > 1) throw invalidSegmentSql(`is ${statements} statements; segment SQL must be exactly one SELECT`);
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const where = typeof details?.cursorPosition === "number" && details.cursorPosition >= 0 ? nearText(text, Math.min(details.cursorPosition, text.length)) : "";
    throw invalidSegmentSql(`${parseFailure(details?.message ?? "")}${where}`);
  }
}

/** The parser's complaint in our words: only its kind, never its quote (which `where` gives from the author's text). */
function parseFailure(message: string): string {
  const head = message.replace(/ at or near [\s\S]*$| at end of input$/, "");
  if (head === "syntax error") return "has a syntax error";
  if (/^unterminated [a-z /-]+$/.test(head)) return `has an ${head}`;
  return "could not be parsed";
}

/**
 * How many statements the scanner sees (`;` outside strings and comments, with something between): a text
 * that does not parse as a whole may still be several statements, which is the more useful thing to say.
 */
function countStatements(text: string): number {
  let tokens: Array<{ tokenName: string }>;
  try {
    tokens = scanSync(text).tokens;
  } catch {
    return 1;
  }
  let statements = 0;
  let pending = false;
  for (const token of tokens) {
    if (token.tokenName === "ASCII_59") {
      if (pending) statements++;
      pending = false;
    } else if (!/COMMENT$/.test(token.tokenName)) {
      pending = true;
    }
  }
  return statements + (pending ? 1 : 0);
}

/** `{Tag: body}` → [Tag, body]; anything else is not a node. */
function tagOf(value: unknown): [string, NodeBody] {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && /^[A-Z]/.test(keys[0])) return [keys[0], (value as Record<string, NodeBody>)[keys[0]] ?? {}];
  }
  throw invalidSegmentSql("uses a construct segment SQL does not support");
}

function strings(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const [tag, body] = tagOf(item);
    return tag === "String" ? String(body.sval ?? "") : tag === "A_Star" ? "*" : "?";
  });
}

/** One walk over a parsed SELECT; `scope` holds the WITH names visible where a node sits. */
class TreeCheck {
  node(tag: string, body: NodeBody, scope: ReadonlySet<string>, depth: number): void {
    if (depth > MAX_DEPTH) throw invalidSegmentSql(`nests more than ${MAX_DEPTH} levels deep`);
    if (!ALLOWED_NODES.has(tag)) throw refusedNode(tag);
    switch (tag) {
      case "SelectStmt":
        return this.select(body, scope, depth);
      case "RangeVar":
        return checkRelation(body, scope);
      case "FuncCall":
        checkFunction(strings(body.funcname));
        break;
      case "TypeName":
        checkType(body);
        break;
      case "ColumnRef":
        checkColumnRef(strings(body.fields));
        break;
      case "A_Expr":
        checkOperator(strings(body.name));
        break;
      case "SortBy":
        checkOperator(strings(body.useOp));
        break;
      case "SubLink":
        checkOperator(strings(body.operName));
        break;
      case "SQLValueFunction":
        if (!/DATE|TIME/.test(String(body.op ?? ""))) throw invalidSegmentSql("reads the session's user or schema, which segment SQL may not use");
        break;
    }
    this.fields(tag, body, scope, depth);
  }

  private fields(tag: string, body: NodeBody, scope: ReadonlySet<string>, depth: number): void {
    for (const [field, value] of Object.entries(body)) this.value(tag, field, value, scope, depth + 1);
  }

  private value(parent: string, field: string, value: unknown, scope: ReadonlySet<string>, depth: number): void {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const item of value) this.value(parent, field, item, scope, depth);
      return;
    }
    const keys = Object.keys(value);
    if (keys.length === 0) return; // an absent node, or a struct of defaults (false, 0, "")
    if (keys.length === 1 && /^[A-Z]/.test(keys[0])) {
      this.node(keys[0], (value as Record<string, NodeBody>)[keys[0]] ?? {}, scope, depth);
      return;
    }
    const typed = TYPED_FIELDS[`${parent}.${field}`] ?? (field === "alias" ? TYPED_FIELDS["*.alias"] : undefined);
    if (!typed) throw invalidSegmentSql(`uses a construct segment SQL does not support (${parent}.${field})`);
    this.node(typed, value as NodeBody, scope, depth);
  }

  /** A SELECT: no INTO, no locking; its WITH names are visible as PostgreSQL scopes them. */
  private select(body: NodeBody, scope: ReadonlySet<string>, depth: number): void {
    if (body.intoClause) throw invalidSegmentSql("creates a table (SELECT INTO); segment SQL may only read");
    if (Array.isArray(body.lockingClause) && body.lockingClause.length) throw invalidSegmentSql("locks rows (FOR UPDATE/SHARE); segment SQL may only read");
    let inner = scope;
    const withClause = body.withClause as { ctes?: unknown[]; recursive?: boolean } | undefined;
    if (withClause) {
      const ctes = (withClause.ctes ?? []).map((c) => {
        const [tag, cte] = tagOf(c);
        if (tag !== "CommonTableExpr") throw refusedNode(tag);
        return cte;
      });
      const names = ctes.map((cte) => String(cte.ctename ?? ""));
      ctes.forEach((cte, i) => {
        const query = cte.ctequery ? tagOf(cte.ctequery)[0] : "SelectStmt";
        if (DATA_CHANGES.has(query)) throw invalidSegmentSql(`modifies data (${STATEMENT_NAMES[query]} in WITH); segment SQL may only read`);
        // A CTE sees the ones before it; with RECURSIVE, all of them, itself included.
        const visible = new Set([...scope, ...(withClause.recursive ? names : names.slice(0, i))]);
        this.node("CommonTableExpr", cte, visible, depth + 1);
      });
      inner = new Set([...scope, ...names]);
    }
    for (const [field, value] of Object.entries(body)) {
      if (field !== "withClause") this.value("SelectStmt", field, value, inner, depth + 1);
    }
  }
}

function refusedNode(tag: string): Error {
  if (DATA_CHANGES.has(tag)) return invalidSegmentSql(`modifies data (${STATEMENT_NAMES[tag]}); segment SQL may only read`);
  if (tag.endsWith("Stmt")) return invalidSegmentSql(`contains ${STATEMENT_NAMES[tag] ?? `a ${tag.replace(/Stmt$/, "")}`} statement; segment SQL must be exactly one SELECT`);
  if (tag === "ParamRef") return invalidSegmentSql("uses a parameter ($n); segment SQL takes none");
  if (tag === "LockingClause") return invalidSegmentSql("locks rows (FOR UPDATE/SHARE); segment SQL may only read");
  if (tag === "IntoClause") return invalidSegmentSql("creates a table (SELECT INTO); segment SQL may only read");
  if (tag === "RangeTableSample") return invalidSegmentSql("uses TABLESAMPLE, which segment SQL may not use");
  if (/^(Xml|RangeTableFunc)/.test(tag)) return invalidSegmentSql("uses an XML construct, which segment SQL may not use");
  if (/^Json/.test(tag)) return invalidSegmentSql("uses a SQL/JSON construct, which segment SQL may not use (use the jsonb operators and functions)");
  return invalidSegmentSql(`uses ${tag}, which segment SQL may not use`);
}

const ANALYST_TABLE_SET = new Set(ANALYST_TABLES);

function checkRelation(body: NodeBody, scope: ReadonlySet<string>): void {
  const name = String(body.relname ?? "");
  const schema = typeof body.schemaname === "string" ? body.schemaname : null;
  const shown = [body.catalogname, schema, name].filter((p) => typeof p === "string" && p).join(".");
  if (body.catalogname) throw invalidSegmentSql(`reads ${shown}, which is not one of the analyst relations`);
  if (schema === null && scope.has(name)) return; // a WITH query, which PostgreSQL resolves before any table
  if ((schema === null || schema === "public") && ANALYST_TABLE_SET.has(name)) return;
  if (schema === ANALYST_SCHEMA) return;
  throw invalidSegmentSql(`reads ${shown}, which is not one of the analyst relations`);
}

function checkFunction(parts: string[]): void {
  const name = parts[parts.length - 1] ?? "";
  const schema = parts.length === 2 ? parts[0] : null;
  if (parts.length === 1 && ALLOWED_FUNCTIONS.has(name)) return;
  if (schema === "pg_catalog" && ALLOWED_FUNCTIONS.has(name)) return;
  if (schema === ANALYST_SCHEMA) return;
  throw invalidSegmentSql(`calls ${parts.join(".")}, which segment SQL may not use`);
}

function checkType(body: NodeBody): void {
  const parts = strings(body.names);
  const name = parts[parts.length - 1] ?? "";
  const qualifiedOk = parts.length === 1 || (parts.length === 2 && parts[0] === "pg_catalog");
  if (body.pct_type || body.setof || !qualifiedOk || !ALLOWED_TYPES.has(name)) {
    throw invalidSegmentSql(`uses the type ${parts.join(".")}, which segment SQL may not use`);
  }
}

/** `schema.table.column`: only the analyst schemas (the table must be in FROM, where it is checked too). */
function checkColumnRef(parts: string[]): void {
  if (parts.length >= 4) throw invalidSegmentSql(`refers to ${parts.join(".")}, which is not one of the analyst relations`);
  if (parts.length === 3 && parts[0] !== "public" && parts[0] !== ANALYST_SCHEMA) {
    throw invalidSegmentSql(`refers to ${parts.slice(0, 2).join(".")}, which is not one of the analyst relations`);
  }
}

/** `OPERATOR(schema.op)`: only the built-in operators. */
function checkOperator(parts: string[]): void {
  if (parts.length > 1 && !(parts.length === 2 && parts[0] === "pg_catalog")) {
    throw invalidSegmentSql(`uses the operator ${parts.join(".")}, which segment SQL may not use`);
  }
}
