// The parts of prom-client the collector uses, loaded from their own files: prom-client's index
// also loads its Pushgateway (node:https, node:zlib, and with them node:tls and node:crypto) and
// its cluster aggregator, ~1.5-2 MiB of an idle collector's memory for features it never uses
// (README, "Memory"). Same classes, same registry semantics; the types are prom-client's own.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

const require = createRequire(import.meta.url);

export type { OpenMetricsContentType } from 'prom-client';
export type Registry<T extends PromClient.RegistryContentType = PromClient.PrometheusContentType> =
  PromClient.Registry<T>;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
export type Histogram<T extends string = string> = PromClient.Histogram<T>;

export const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry;
export const Gauge = require('prom-client/lib/gauge') as typeof PromClient.Gauge;
export const Histogram = require('prom-client/lib/histogram') as typeof PromClient.Histogram;
export const collectDefaultMetrics =
  require('prom-client/lib/defaultMetrics') as typeof PromClient.collectDefaultMetrics;
