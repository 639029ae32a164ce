import {
  DataSourceApi,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
} from '@grafana/data';
import { resolveTimeZone } from '../shared/time-zone';
import { defaultHourlyMinRangeHours } from './inventory-sql';
import type { QuestDbClient } from './questdb-client';
import { PingSphereQueryRunner, type HealthReport } from './query-runner';
import { defaultQuery, type PingSphereOptions, type PingSphereQuery, type PingSphereVariableQuery } from './types';

/** The part of Grafana's TemplateSrv the datasource uses (injected, so tests run without Grafana). */
export interface VariableReplacer {
  replace(target?: string, scopedVars?: ScopedVars, format?: string | ((value: string | string[]) => string)): string;
}

const multiValueSeparator = '\u001f';

/** PingSphere's datasource: SQL over QuestDB's REST /exec through Grafana's data proxy. */
export class PingSphereDataSource extends DataSourceApi<PingSphereQuery, PingSphereOptions> {
  readonly runner: PingSphereQueryRunner;
  private readonly rollupMinRangeHours: number;
  private readonly hourlyMinRangeHours: number;

  constructor(
    instanceSettings: DataSourceInstanceSettings<PingSphereOptions>,
    client: QuestDbClient,
    private readonly templates: VariableReplacer,
  ) {
    super(instanceSettings);
    this.runner = new PingSphereQueryRunner(client);
    this.rollupMinRangeHours = instanceSettings.jsonData.rollupMinRangeHours ?? 6;
    this.hourlyMinRangeHours = instanceSettings.jsonData.hourlyMinRangeHours ?? defaultHourlyMinRangeHours;
  }

  override getDefaultQuery(): Partial<PingSphereQuery> {
    return defaultQuery;
  }

  override filterQuery(query: PingSphereQuery): boolean {
    return !query.hide;
  }

  /** Replaces variables in every filter value; a multi-value variable becomes several values. */
  applyTemplateVariables(query: PingSphereQuery, scopedVars: ScopedVars): PingSphereQuery {
    const filters: PingSphereQuery['filters'] = {};
    for (const [dimension, values] of Object.entries(query.filters ?? {})) {
      filters[dimension as keyof typeof filters] = values.flatMap((value) =>
        this.templates
          .replace(value, scopedVars, (v: string | string[]) => (Array.isArray(v) ? v.join(multiValueSeparator) : v))
          .split(multiValueSeparator)
          .filter((v) => v !== ''),
      );
    }
    const one = (value: string | undefined) => (value ? this.templates.replace(value, scopedVars) : value);
    const interval = one(query.interval);
    return { ...defaultQuery, ...query, filters, interval, group: one(query.group), target: one(query.target) };
  }

  async query(request: DataQueryRequest<PingSphereQuery>): Promise<DataQueryResponse> {
    const context = {
      fromMs: request.range.from.valueOf(),
      toMs: request.range.to.valueOf(),
      intervalMs: request.intervalMs,
      timeZone: resolveTimeZone(request.timezone),
      rollupMinRangeHours: this.rollupMinRangeHours,
      hourlyMinRangeHours: this.hourlyMinRangeHours,
    };
    const results = await Promise.all(
      request.targets
        .filter((t) => this.filterQuery(t))
        .map(async (target) => {
          try {
            return { frames: await this.runner.run(this.applyTemplateVariables(target, request.scopedVars), context) };
          } catch (error) {
            return { frames: [], error: { refId: target.refId, message: (error as Error).message } as DataQueryError };
          }
        }),
    );
    const errors = results.flatMap((r) => (r.error ? [r.error] : []));
    return { data: results.flatMap((r) => r.frames), ...(errors.length ? { errors, error: errors[0] } : {}) };
  }

  override async metricFindQuery(query: PingSphereVariableQuery): Promise<MetricFindValue[]> {
    const group = query.group ? this.templates.replace(query.group) : undefined;
    const values = await this.runner.variableValues({
      family: query.family ?? 'icmp',
      dimension: query.dimension ?? 'src',
      ...(group ? { group } : {}),
    });
    return values.map((text) => ({ text, value: text }));
  }

  async testDatasource(): Promise<HealthReport> {
    return this.runner.health();
  }
}
