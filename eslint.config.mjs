import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      "dist/**",
      "node_modules/**",
      "data/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      "lib/db/migrations/**",
    ],
  },
  ...nextVitals,
  ...nextTs,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.mjs", "tools/*.mjs", "bench/*.mjs"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: false }],
      "@typescript-eslint/no-unnecessary-condition": "off",
      // Only lib/config reads the environment (plus the few entry points exempted below).
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read settings through lib/config." },
      ],
    },
  },
  {
    files: [
      "lib/config/**",
      "devidp/support/env.ts",
      "server/**",
      "cli/**",
      "demo/**",
      "tools/**",
      "e2e/**",
      "playwright.config.ts",
      "playwright.cluster.config.ts",
      "vitest.config.ts",
      "drizzle.config.ts",
      "bench/**",
      "**/*.test.ts",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  { files: ["**/*.mjs"], ...tseslint.configs.disableTypeChecked },
  // Formatting is Prettier's job (npm run format:check): no stylistic rule may disagree with it.
  prettier,
);
