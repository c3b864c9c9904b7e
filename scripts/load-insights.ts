/**
 * `npm run insights:load -- file.csv [--url http://localhost:8080] [--key $COACH_AUTHOR_KEY]`
 * Loads data-science output into the engine through PUT /v1/insights, 5,000 rows per request.
 * CSV header: learnerId,courseId,key,value,score[,metadata]; `value` and `metadata` may be JSON
 * (a value that does not parse as JSON is taken as a string); empty courseId = every course.
 */
import { readFileSync } from "node:fs";

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      if (row.some((f) => f !== "")) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== "")) rows.push(row);
  return rows;
}

function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith("--"));
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const url = flag("url") ?? process.env.COACH_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`;
  const key = flag("key") ?? process.env.COACH_AUTHOR_KEY;
  if (!file || !key) throw new Error("usage: npm run insights:load -- file.csv --key <author key> [--url http://localhost:8080]");
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8"));
  const col = (name: string) => header.indexOf(name);
  for (const required of ["learnerId", "key", "value"]) if (col(required) < 0) throw new Error(`the CSV header needs a ${required} column`);
  const insights = rows.map((r) => ({
    learnerId: r[col("learnerId")],
    ...(col("courseId") >= 0 && r[col("courseId")] ? { courseId: r[col("courseId")] } : {}),
    key: r[col("key")],
    value: jsonOrString(r[col("value")]),
    ...(col("score") >= 0 && r[col("score")] !== "" ? { score: Number(r[col("score")]) } : {}),
    ...(col("metadata") >= 0 && r[col("metadata")] ? { metadata: JSON.parse(r[col("metadata")]) } : {}),
  }));
  let done = 0;
  for (let i = 0; i < insights.length; i += 5_000) {
    const res = await fetch(`${url}/v1/insights`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(insights.slice(i, i + 5_000)),
    });
    const body = (await res.json()) as { upserted: number; errors?: unknown; detail?: string };
    if (!res.ok) throw new Error(`rows ${i + 1}–${i + 5_000} rejected (${res.status}): ${JSON.stringify(body.errors ?? body.detail)}`);
    done += body.upserted;
    process.stdout.write(`\rloaded ${done} / ${insights.length}`);
  }
  process.stdout.write("\n");
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
