// Bundles the console's code editor and charts into one script each (run by the gatehouse build; see Gatehouse.csproj).
import { build } from "esbuild";

const outdir = process.argv[2];
if (!outdir) {
  console.error("usage: node build.mjs <output folder>");
  process.exit(2);
}
await build({
  entryPoints: { editor: "src/editor.js", charts: "src/charts.js" },
  outdir,
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "eof",
  logLevel: "warning",
});
