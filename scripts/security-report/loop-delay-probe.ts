/**
 * Preloaded into the engine process the security report starts (`node --import tsx --import <this> src/main.ts`):
 * measures the process's own event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) and reports
 * it over IPC, so the figures are the engine's alone, not the load generator's. Messages: `reset:<name>` starts
 * (or restarts) a named measurement, `report` answers every measurement's figures; `overall` runs from the start.
 * Inert without an IPC channel.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/** Delay percentiles in milliseconds. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

function figures(histogram: IntervalHistogram): LoopDelay {
  const ms = (ns: number) => Number((ns / 1e6).toFixed(1));
  return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
}

if (process.send) {
  const histograms = new Map<string, IntervalHistogram>();
  const start = (name: string) => {
    histograms.get(name)?.disable();
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    histograms.set(name, histogram);
  };
  start("overall");
  process.on("message", (message) => {
    if (typeof message === "string" && message.startsWith("reset:")) {
      start(message.slice("reset:".length));
      process.send?.({ probe: message });
    } else if (message === "report") {
      process.send?.({ probe: "report", figures: Object.fromEntries([...histograms].map(([name, h]) => [name, figures(h)])) });
    }
  });
  // The IPC channel must not keep a stopping engine alive.
  process.channel?.unref();
}
