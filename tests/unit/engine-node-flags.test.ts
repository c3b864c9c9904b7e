/**
 * The benchmarks run the engine with the Node flags `npm start` gives it (bench/support/engine-node-flags.ts):
 * a flag changed in one place and not the other would have them measure another engine than operators run.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ENGINE_NODE_FLAGS } from "../../bench/support/engine-node-flags";

describe("the engine's Node flags", () => {
  it("are the ones npm start runs node with, before the engine's entry point", () => {
    const start = (JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
    const node = start.slice(start.indexOf("exec node "));
    const flags = node.slice("exec node ".length, node.indexOf(" --import tsx src/main.ts")).split(" ").filter(Boolean);
    expect(flags).toEqual([...ENGINE_NODE_FLAGS]);
  });
});
