// Test levels by file name: *.unit.test.ts need nothing, *.int.test.ts need the stack,
// *.e2e.test.ts run the services as processes. The stack is found (or started) once, in globalSetup.
const transform = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] };
const level = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: "node",
  transform,
  testMatch: [`<rootDir>/**/*.${name}.test.ts`],
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/.tools/", "/.stack/"],
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    level("unit"),
    level("int", {
      globalSetup: "<rootDir>/tests/setup/global-setup.ts",
      globalTeardown: "<rootDir>/tests/setup/global-teardown.ts",
      setupFilesAfterEnv: ["<rootDir>/tests/setup/stack-test-timeouts.ts"],
    }),
    level("e2e", {
      globalSetup: "<rootDir>/tests/setup/global-setup.ts",
      globalTeardown: "<rootDir>/tests/setup/global-teardown.ts",
      setupFilesAfterEnv: ["<rootDir>/tests/setup/stack-test-timeouts.ts"],
    }),
  ],
};
