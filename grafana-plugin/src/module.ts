import { AppPlugin } from '@grafana/data';

/**
 * The app is a container: it ships the datasource and the three panels (nested plugins listed in
 * plugin.json's `includes`) so one install brings them all. It has no pages of its own.
 */
export const plugin = new AppPlugin();
