// Compiles the server (server/main.ts and everything it imports from this repository) into one
// JavaScript file, so production runs on plain Node: no TypeScript loader thread, no compiling at
// start, less source text held in memory (docs/benchmarks.md). Packages stay outside the bundle
// and load from node_modules as before. `scripts/start.mjs` calls it after `next build`.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/** Keeps each module's own location: paths resolved from `import.meta.url` (migrations, tools) stay right. */
const ownUrl = (root) => ({
  name: "own-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      if (!args.path.startsWith(root + path.sep) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await fs.promises.readFile(args.path, "utf8");
      return {
        contents: source.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
        loader: args.path.endsWith(".tsx") ? "tsx" : "ts",
      };
    });
  },
});

export async function buildServer(root, outfile) {
  await build({
    entryPoints: [path.join(root, "server", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    tsconfig: path.join(root, "tsconfig.json"),
    jsx: "automatic",
    plugins: [ownUrl(root)],
    logLevel: "warning",
  });
}
