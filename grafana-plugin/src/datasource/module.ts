import { DataSourcePlugin, type DataSourceInstanceSettings } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import { PingSphereDataSource } from './datasource';
import { GrafanaProxyClient } from './grafana-client';
import type { PingSphereOptions, PingSphereQuery } from './types';

/** The datasource as Grafana constructs it: QuestDB through the data proxy, Grafana's variables. */
class GrafanaPingSphereDataSource extends PingSphereDataSource {
  constructor(instanceSettings: DataSourceInstanceSettings<PingSphereOptions>) {
    super(instanceSettings, new GrafanaProxyClient(instanceSettings.url ?? ''), getTemplateSrv());
  }
}

export const plugin = new DataSourcePlugin<GrafanaPingSphereDataSource, PingSphereQuery, PingSphereOptions>(
  GrafanaPingSphereDataSource,
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor)
  .setVariableQueryEditor(VariableQueryEditor);
