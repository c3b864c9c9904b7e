import pino from "pino";
import { RepeatedLog } from "../../../src/lib/repeated-log";

describe("RepeatedLog (an error repeating through an outage)", () => {
  function capture() {
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: "warn" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    return { log, lines };
  }

  it("logs the first occurrence, then at doubling intervals with the count held back, and starts over after a quiet spell", () => {
    const { log, lines } = capture();
    let now = 0;
    const repeated = new RepeatedLog(log, "worker error", { now: () => now });
    // 10 errors a second for 20 s: 200 occurrences.
    for (let i = 0; i < 200; i++, now += 100) repeated.report({ err: "connect ECONNREFUSED" });
    expect(lines.length).toBeLessThanOrEqual(6); // at 0, 1, 3, 7, 15 s
    expect(lines[0]).toMatchObject({ msg: "worker error", err: "connect ECONNREFUSED" });
    expect(lines.slice(1).every((l) => typeof l.repeatedSinceLastLine === "number")).toBe(true);
    expect(lines.reduce((sum, l) => sum + 1 + ((l.repeatedSinceLastLine as number | undefined) ?? 0), 0)).toBeLessThanOrEqual(200);

    now += 10 * 60_000; // the outage is over; a new one is news at once
    const before = lines.length;
    repeated.report({ err: "connect ECONNREFUSED" });
    expect(lines.length).toBe(before + 1);
  });
});
