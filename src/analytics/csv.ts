/** Rows as RFC 4180 CSV; interval columns are split into Low/High. */

/** CSV text for rows of flat values (arrays of two numbers become `<name>Low`, `<name>High`). */
export function toCsv(rows: Array<Record<string, unknown>>): string {
  const flat = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (Array.isArray(v) && v.length === 2) {
        out[`${k}Low`] = v[0];
        out[`${k}High`] = v[1];
      } else out[k] = v;
    }
    return out;
  });
  const header = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header.join(","), ...flat.map((r) => header.map((h) => cell(r[h])).join(","))].join("\r\n") + "\r\n";
}
