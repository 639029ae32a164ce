import { defineConfig } from 'vitest/config';

// One runner for the whole repository; each workspace is a project so its environment can differ
// (the Grafana plugin's component tests run in jsdom, everything else in Node).
export default defineConfig({
  test: {
    // Real services (QuestDB, moto, Chromium, namespaces) take seconds to start.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: running files one or two at a time keeps timing-sensitive tests honest.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'testbed', include: ['testbed/test/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'collector', include: ['collector/test/**/*.test.ts', 'collector/src/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'native', include: ['native/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'scripts', include: ['scripts/test/**/*.test.ts'] } },
    ],
  },
});
