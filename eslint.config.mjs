// ESLint: typescript-eslint with type information, React hooks and Next's rules. `npm run lint`.
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", "tools/", ".data/", "test-results/", "playwright-report/", "next-env.d.ts", "db/migrations/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      // Unused names are dead code; a leading underscore marks a parameter kept for its position.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // A promise nobody waits for must say so with `void`.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false, arguments: false } }],
      // The contract and the zod schemas type every boundary; `any` would undo that.
      "@typescript-eslint/no-explicit-any": "error",
      // Route handlers and socket handlers are async by contract even where one does not await.
      "@typescript-eslint/require-await": "off",
      // Sockets, test fixtures and JSON bodies are `unknown` until parsed; these rules would flag every parse.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true, allowNullish: true }],
      "@typescript-eslint/only-throw-error": "off",
      // Handlers are passed as plain functions (socket.io, Node streams, Playwright); none relies on `this`.
      "@typescript-eslint/unbound-method": "off",
      "@typescript-eslint/prefer-promise-reject-errors": "off",
    },
  },
  {
    files: ["app/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks, "@next/next": nextPlugin },
    rules: {
      // The hooks' own rules. The React Compiler's rules (refs in render, setState in effects) are not
      // on: Plenary does not build with the compiler, and the patterns they report are correct without it.
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
    },
  },
  {
    // lib/ reaches the browser: zod must come configured for the content security policy (no eval).
    files: ["lib/**/*.ts", "app/**/*.tsx"],
    ignores: ["lib/schemas/zod.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "zod", message: "Import z from lib/schemas/zod.ts, which sets zod up for the browser's content security policy.", allowTypeImports: true },
          ],
        },
      ],
    },
  },
  {
    // Playwright fixtures take their first argument as an object pattern, empty when no fixture is used.
    files: ["e2e/**/*.ts"],
    rules: { "no-empty-pattern": "off" },
  },
  {
    // Tests and benchmarks read raw rows from `db.execute`, whose shape differs by driver.
    files: ["**/*.test.ts", "e2e/**/*.ts", "bench/**/*.ts", "server/testing/**/*.ts"],
    rules: { "@typescript-eslint/no-unnecessary-type-assertion": "off" },
  },
  {
    files: ["**/*.mjs", "**/*.js", "**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
