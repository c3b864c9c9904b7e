/**
 * The condition language (`{all}`, `{any}`, `{not}`, `{field, op, value}`) as an editable tree and back, with
 * the JSON path of every node so the API's errors (e.g. "trigger.where.all[1].value") land on the right row.
 * Round-trips any valid condition: `not` becomes a flag on the node it wraps.
 */

export type Operator = "eq" | "ne" | "lt" | "lte" | "gt" | "gte" | "in" | "nin" | "exists" | "contains";

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | { field: string; op: Operator; value?: unknown };

export interface LeafNode {
  kind: "leaf";
  field: string;
  op: Operator;
  /** The value as typed (see parseValue). */
  text: string;
  negate: boolean;
}

export interface GroupNode {
  kind: "group";
  mode: "all" | "any";
  negate: boolean;
  children: TreeNode[];
}

export type TreeNode = LeafNode | GroupNode;

export const OPERATORS: ReadonlyArray<{ op: Operator; label: string }> = [
  { op: "eq", label: "equals" },
  { op: "ne", label: "does not equal" },
  { op: "lt", label: "is less than" },
  { op: "lte", label: "is at most" },
  { op: "gt", label: "is greater than" },
  { op: "gte", label: "is at least" },
  { op: "in", label: "is one of" },
  { op: "nin", label: "is none of" },
  { op: "exists", label: "exists" },
  { op: "contains", label: "contains" },
];

/** Fields every rule can read (contract: "Conditions"); pickers add the event properties and attributes seen. */
export const BASE_FIELDS = [
  "event.type",
  "event.courseId",
  "event.moduleId",
  "learner.id",
  "learner.name",
  "learner.locale",
  "learner.timezone",
  "goal.text",
  "assessments.latest.rating",
  "state.eventCount",
  "state.daysSinceLastActivity",
  "state.firstActivityAt",
  "state.lastActivityAt",
];

export function newLeaf(field = "event.properties."): LeafNode {
  return { kind: "leaf", field, op: "eq", text: "", negate: false };
}

export function newGroup(mode: "all" | "any" = "all"): GroupNode {
  return { kind: "group", mode, negate: false, children: [] };
}

/** A condition as a tree whose root is always a group (a bare leaf or `not` becomes its only child). */
export function toTree(condition: Condition | null | undefined): GroupNode {
  if (!condition) return newGroup();
  const node = nodeOf(condition);
  return node.kind === "group" && !node.negate ? node : { ...newGroup(), children: [node] };
}

function nodeOf(c: Condition): TreeNode {
  if ("all" in c) return { kind: "group", mode: "all", negate: false, children: c.all.map(nodeOf) };
  if ("any" in c) return { kind: "group", mode: "any", negate: false, children: c.any.map(nodeOf) };
  if ("not" in c) {
    const inner = nodeOf(c.not);
    return { ...inner, negate: !inner.negate };
  }
  return { kind: "leaf", field: c.field, op: c.op, text: valueToText(c.value, c.op), negate: false };
}

/** The tree as a condition; null when it holds no condition at all (empty groups are dropped). */
export function fromTree(node: TreeNode): Condition | null {
  if (node.kind === "leaf") {
    const leaf: Condition = node.op === "exists" ? { field: node.field, op: "exists", value: node.text !== "false" } : { field: node.field, op: node.op, value: parseValue(node.text, node.op) };
    return node.negate ? { not: leaf } : leaf;
  }
  const children = node.children.map(fromTree).filter((c): c is Condition => c !== null);
  if (children.length === 0) return null;
  const group: Condition = node.mode === "all" ? { all: children } : { any: children };
  return node.negate ? { not: group } : group;
}

/** The JSON path of each node of the tree as fromTree writes it, under `prefix` (e.g. "trigger.where"). */
export function pathsOf(root: GroupNode, prefix: string): Map<TreeNode, string> {
  const paths = new Map<TreeNode, string>();
  const walk = (node: TreeNode, at: string) => {
    paths.set(node, at);
    const inner = node.negate ? `${at}.not` : at;
    if (node.kind === "group") {
      let index = 0;
      for (const child of node.children) {
        if (child.kind === "group" && fromTree(child) === null) continue; // dropped by fromTree: no index
        walk(child, `${inner}.${node.mode}[${index++}]`);
      }
    }
  };
  walk(root, prefix);
  return paths;
}

/**
 * What a typed value means: `true`/`false`, `null` and numbers are those values; text in double quotes is
 * that text exactly ("42" stays a string); for `in`/`nin`, a comma-separated list of such values.
 */
export function parseValue(text: string, op: Operator): unknown {
  if (op === "in" || op === "nin")
    return splitList(text)
      .map((item) => item.trim())
      .filter((item) => item !== "")
      .map(parseScalar);
  return parseScalar(text.trim());
}

/** Splits a list at commas outside double quotes ("a, b" stays one item; \" inside quotes is a quote). */
function splitList(text: string): string[] {
  const items: string[] = [];
  let item = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === "\\" && i + 1 < text.length) {
      item += ch + text[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      items.push(item);
      item = "";
    } else item += ch;
  }
  items.push(item);
  return items;
}

function parseScalar(text: string): unknown {
  if (text === "true") return true;
  if (text === "false") return false;
  if (text === "null") return null;
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (/^".*"$/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** The inverse of parseValue: what to show in the value box for a stored value. */
export function valueToText(value: unknown, op: Operator): string {
  if (op === "exists") return value === false ? "false" : "true";
  if (Array.isArray(value)) return value.map((v) => scalarText(v)).join(", ");
  return scalarText(value);
}

function scalarText(value: unknown): string {
  if (value === undefined) return "";
  // Plain when typing it back gives the same string; otherwise quoted (numbers-as-text, commas, quotes, edge spaces).
  if (typeof value === "string") return value !== "" && parseScalar(value) === value && !/[",]/.test(value) && value.trim() === value ? value : JSON.stringify(value);
  return JSON.stringify(value);
}
