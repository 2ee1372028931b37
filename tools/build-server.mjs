// Compiles porter's server (server/serve.ts and the few modules it imports) to dist/serve.mjs, so that
// `npm start` runs JavaScript: nothing is compiled when a node starts. Packages stay in node_modules.
// `npm run build` runs it after `next build`; the demo runs it whenever it builds.
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
await build({
  entryPoints: [path.join(root, "server/serve.ts")],
  outfile: path.join(root, "dist/serve.mjs"),
  bundle: true,
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
});
