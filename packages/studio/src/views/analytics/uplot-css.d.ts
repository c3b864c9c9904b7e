// uPlot's stylesheet, imported as text (esbuild: `with { type: "text" }`) so the analyst views can adopt it.
declare module "uplot/dist/uPlot.min.css" {
  const css: string;
  export default css;
}
