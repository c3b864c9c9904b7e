/**
 * The Node flags `npm start` runs the engine with (package.json's "start" script; a unit test holds the two
 * together), so the benchmarks measure the engine as operators run it.
 *
 * `--max-semi-space-size=32` (MB; V8's default is 16 on this Node): request bodies of tens of KB and the objects
 * parsed from them die young; a larger young generation collects them in fewer scavenges and promotes fewer of
 * them. Measured on issue 15's benchmark: the xAPI path's engine CPU per 1,000 statements 37 and 30 ms against
 * 42 and 35 without it in alternating runs, native's unchanged (docs/benchmarks.md). It costs up to ~50 MB more
 * memory per process.
 */
export const ENGINE_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=32"];
