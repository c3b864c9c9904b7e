import fc from "fast-check";
import { isolateFailures, settlePoison } from "../../../src/queue/isolate-failures";
import { DependencyUnavailableError } from "../../../src/lib/errors";

describe("isolateFailures (bisecting a failed batch)", () => {
  /** A batch runner that fails whenever its batch holds a poisoned item, recording what it ran. */
  function runner(poisoned: Set<number>) {
    const done = new Set<number>();
    let calls = 0;
    const run = async (items: number[]) => {
      calls++;
      const bad = items.find((i) => poisoned.has(i));
      if (bad !== undefined) throw new Error(`bad ${bad}`);
      for (const i of items) done.add(i);
    };
    return { run, done, calls: () => calls };
  }

  it("returns exactly the items that fail alone, and every other item gets done", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 600 }), fc.uniqueArray(fc.nat(599), { maxLength: 6 }), async (size, picks) => {
        const items = Array.from({ length: size }, (_, i) => i);
        const poisoned = new Set(picks.filter((p) => p < size));
        const { run, done } = runner(poisoned);
        const failed = await isolateFailures(items, run, () => false);
        expect(failed.map((f) => f.item).sort((a, b) => a - b)).toEqual([...poisoned].sort((a, b) => a - b));
        expect(failed.every((f) => f.error.message === `bad ${f.item}`)).toBe(true);
        expect(items.filter((i) => !poisoned.has(i)).every((i) => done.has(i))).toBe(true);
      }),
    );
  });

  it("costs one run when nothing fails, and about 2·log2(n) more per poisoned item", async () => {
    const clean = runner(new Set());
    await isolateFailures(
      Array.from({ length: 500 }, (_, i) => i),
      clean.run,
    );
    expect(clean.calls()).toBe(1);
    const one = runner(new Set([137]));
    await isolateFailures(
      Array.from({ length: 500 }, (_, i) => i),
      one.run,
      () => false,
    );
    expect(one.calls()).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(500)));
  });

  it("rethrows an outage at once instead of blaming items (the database being down is nobody's poison)", async () => {
    let calls = 0;
    const down = new DependencyUnavailableError("database");
    await expect(
      isolateFailures([1, 2, 3, 4], async () => {
        calls++;
        throw down;
      }),
    ).rejects.toBe(down);
    expect(calls).toBe(1);
  });

  it("settles poison: retry before the final attempt, mark on it, nothing to do without failures", async () => {
    const marked: number[] = [];
    const mark = async (f: Array<{ item: number }>) => void marked.push(...f.map((x) => x.item));
    const failed = [{ item: 7, error: new Error("bad 7") }];
    await expect(settlePoison(failed, 10, { finalAttempt: false }, mark)).rejects.toThrow("1 of 10 items failed on their own; retrying them (first error: bad 7)");
    expect(marked).toEqual([]);
    await settlePoison(failed, 10, { finalAttempt: true }, mark);
    expect(marked).toEqual([7]);
    await settlePoison([], 10, { finalAttempt: true }, mark);
    expect(marked).toEqual([7]);
  });
});
