import { configDefaults, defineConfig } from 'vitest/config';

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
      { extends: true, test: { name: 'provisioning', include: ['provisioning/test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'collector',
          include: ['collector/test/**/*.test.ts', 'collector/src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'collector/test/timing/**'],
        },
      },
      // Timing comparisons with curl run last, alone, so the rest of the suite disturbs them less.
      {
        extends: true,
        test: {
          name: 'collector-timing',
          include: ['collector/test/timing/**/*.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      { extends: true, test: { name: 'native', include: ['native/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'scripts', include: ['scripts/test/**/*.test.ts'] } },
      // The Grafana plugin: unit and component tests in jsdom; the datasource against a real QuestDB,
      // the browser harness and the built dist/ in Node.
      {
        extends: true,
        test: {
          name: 'grafana-plugin',
          environment: 'jsdom',
          include: ['grafana-plugin/src/**/*.test.{ts,tsx}', 'grafana-plugin/test/components/**/*.test.{ts,tsx}'],
          setupFiles: ['grafana-plugin/test/setup-jsdom.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'grafana-plugin-live',
          environment: 'jsdom',
          include: ['grafana-plugin/test/{live,bundle}/**/*.test.{ts,tsx}'],
          setupFiles: ['grafana-plugin/test/setup-jsdom.ts'],
        },
      },
      // The inventory views at 100,000 targets: QuestDB, the collector's fixture (which needs Node's
      // URL, not jsdom's) and Chromium; the test itself imports nothing of @grafana/data.
      { extends: true, test: { name: 'grafana-plugin-views', include: ['grafana-plugin/test/views/**/*.test.ts'] } },
    ],
  },
});
