/**
 * The layering (docs/architecture.md, "Layers"), checked by `npm run depcruise` in `npm test`.
 * A violation fails the run.
 */
const DOMAIN = "^server/(agenda|audit|auth|mail|people|polls|qa|streaming)/";

module.exports = {
  forbidden: [
    {
      name: "lib-is-browser-safe",
      comment: "lib/ is loaded by the browser: it may not import the server, the database or the pages.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^(server|db|app)/" },
    },
    {
      name: "lib-no-node",
      comment: "lib/ is loaded by the browser: no Node built-ins.",
      severity: "error",
      from: { path: "^lib/", pathNot: "\\.test\\.ts$" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "nothing-imports-app",
      comment: "Pages and client components are the top layer: server/, lib/, db/, bench/ and e2e/ never import app/.",
      severity: "error",
      from: { pathNot: "^app/" },
      to: { path: "^app/" },
    },
    {
      name: "domain-not-socket-io",
      comment: "Capabilities announce through their publisher port; only server/realtime knows socket.io.",
      severity: "error",
      from: { path: DOMAIN, pathNot: "\\.test\\.ts$" },
      to: { path: "(^node_modules/(socket\\.io|@socket\\.io)/)|(^server/realtime/)" },
    },
    {
      name: "domain-not-composition-root",
      comment: "Capabilities do not import the composition root or the transports.",
      severity: "error",
      from: { path: DOMAIN, pathNot: "\\.test\\.ts$" },
      to: { path: "^server/(app|main)\\.ts$|^server/http/" },
    },
    {
      name: "db-not-domain",
      comment: "db/ (schema, client, migrations, seed) does not depend on the capabilities above it.",
      severity: "error",
      from: { path: "^db/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(server|app)/" },
    },
    {
      name: "no-circular",
      comment: "Modules that import each other cannot be read (or tested) one at a time.",
      severity: "error",
      // db/schema.ts re-exports the capability schema files, which reference its core tables: drizzle's
      // usual way of splitting one schema over files, and not a cycle between layers.
      from: { path: "^(server|lib|db)/", pathNot: "^db/schema" },
      // A cycle closed only by `import type` is erased at build time and does not count.
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(\\.next|tools|\\.data)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
