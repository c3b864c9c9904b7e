/**
 * Learner ids from an uploaded CSV: the column named learnerId, learner_id, learner or id when the first row
 * names one, else the first column. Quoted cells, CRLF and blank lines are handled; ids come back once each,
 * in file order.
 */

const HEADER_NAMES = ["learnerid", "learner_id", "learner", "id", "userid", "user_id"];

/** The ids in the CSV text, and whether a header row was recognised. */
export function learnerIdsFromCsv(text: string): { ids: string[]; header: string | null } {
  const rows = text
    .split(/\r?\n/)
    .map(parseRow)
    .filter((cells) => cells.some((c) => c !== ""));
  if (rows.length === 0) return { ids: [], header: null };
  const headerIndex = rows[0].findIndex((cell) => HEADER_NAMES.includes(cell.toLowerCase()));
  const column = headerIndex >= 0 ? headerIndex : 0;
  const body = headerIndex >= 0 ? rows.slice(1) : rows;
  const ids = [...new Set(body.map((cells) => (cells[column] ?? "").trim()).filter((id) => id !== ""))];
  return { ids, header: headerIndex >= 0 ? rows[0][headerIndex] : null };
}

function parseRow(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === "," || ch === ";" || ch === "\t") {
      cells.push(cell.trim());
      cell = "";
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}
