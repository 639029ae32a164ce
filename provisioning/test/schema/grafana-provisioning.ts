// JSON schemas (for ajv) of the provisioning files Grafana reads, written from the Go structs Grafana
// decodes them into (pkg/services/provisioning/…): the fields and value types it accepts. A field
// Grafana does not know is an error here (Grafana would silently ignore it, so the setting would
// never take effect). Dashboards are checked against @grafana/schema's types instead
// (dashboard-types.test.ts).
type Schema = Record<string, unknown>;

const str = { type: 'string' };
const bool = { type: 'boolean' };
const int = { type: 'integer' };
const obj = { type: 'object' };
const strict = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});
const file = (key: string, item: Schema, extra: Record<string, Schema> = {}): Schema =>
  strict({ apiVersion: { enum: [1] }, [key]: { type: 'array', items: item }, ...extra }, ['apiVersion', key]);

/** datasources/*.yaml: pkg/services/provisioning/datasources/types.go (upsertDataSourceFromConfigV1). */
export const datasourcesFile = file(
  'datasources',
  strict(
    {
      orgId: int,
      version: int,
      name: str,
      type: str,
      access: { enum: ['proxy', 'direct'] },
      url: str,
      user: str,
      database: str,
      basicAuth: bool,
      basicAuthUser: str,
      withCredentials: bool,
      isDefault: bool,
      correlations: { type: 'array' },
      jsonData: obj,
      secureJsonData: { type: 'object', additionalProperties: str },
      editable: bool,
      uid: str,
    },
    ['name', 'type'],
  ),
  {
    deleteDatasources: { type: 'array', items: strict({ name: str, orgId: int, uid: str }) },
    prune: bool,
  },
);

/** dashboards/*.yaml: pkg/services/provisioning/dashboards/types.go (configV1). */
export const dashboardProvidersFile = file(
  'providers',
  strict(
    {
      name: str,
      type: { enum: ['file'] },
      orgId: int,
      folder: str,
      folderUid: str,
      editable: bool,
      disableDeletion: bool,
      updateIntervalSeconds: int,
      allowUiUpdates: bool,
      options: strict({ path: str, foldersFromFilesStructure: bool }, ['path']),
    },
    ['name', 'type', 'options'],
  ),
);

/** plugins/*.yaml: pkg/services/provisioning/plugins/types.go (appFromConfigV0). */
export const pluginsFile = file(
  'apps',
  strict({ type: str, org_id: int, org_name: str, disabled: bool, jsonData: obj, secureJsonData: obj }, ['type']),
);

const duration = { type: 'string', pattern: '^([0-9]+(ms|s|m|h|d|w|y))+$' };
const matcher = { type: 'array', minItems: 3, maxItems: 3, items: str };

const route: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    receiver: str,
    group_by: { type: 'array', items: str },
    object_matchers: { type: 'array', items: matcher },
    matchers: { type: 'array', items: str },
    mute_time_intervals: { type: 'array', items: str },
    active_time_intervals: { type: 'array', items: str },
    continue: bool,
    group_wait: duration,
    group_interval: duration,
    repeat_interval: duration,
    routes: { type: 'array', items: { $ref: '#/$defs/route' } },
  },
};

/** alerting/*.yaml: pkg/services/provisioning/alerting/file/types.go (AlertingFileV1 and its parts). */
export const alertingFile: Schema = {
  $defs: { route },
  ...strict(
    {
      apiVersion: { enum: [1] },
      groups: {
        type: 'array',
        items: strict(
          {
            orgId: int,
            name: str,
            folder: str,
            interval: duration,
            rules: {
              type: 'array',
              items: strict(
                {
                  uid: str,
                  title: str,
                  condition: str,
                  data: {
                    type: 'array',
                    items: strict(
                      {
                        refId: str,
                        queryType: str,
                        relativeTimeRange: strict({ from: int, to: int }),
                        datasourceUid: str,
                        model: obj,
                      },
                      ['refId', 'datasourceUid', 'model'],
                    ),
                  },
                  dashboardUid: str,
                  panelId: int,
                  noDataState: { enum: ['NoData', 'Alerting', 'OK', 'KeepLast'] },
                  execErrState: { enum: ['Alerting', 'Error', 'OK', 'KeepLast'] },
                  for: duration,
                  keepFiringFor: duration,
                  annotations: { type: 'object', additionalProperties: str },
                  labels: { type: 'object', additionalProperties: str },
                  isPaused: bool,
                  notification_settings: obj,
                },
                ['uid', 'title', 'condition', 'data'],
              ),
            },
          },
          ['name', 'folder', 'interval', 'rules'],
        ),
      },
      deleteRules: { type: 'array' },
      contactPoints: {
        type: 'array',
        items: strict(
          {
            orgId: int,
            name: str,
            receivers: {
              type: 'array',
              minItems: 1,
              items: strict({ uid: str, type: str, settings: obj, disableResolveMessage: bool }, [
                'uid',
                'type',
                'settings',
              ]),
            },
          },
          ['name', 'receivers'],
        ),
      },
      deleteContactPoints: { type: 'array' },
      // A policy tree's root: a route that also names its organisation.
      policies: { type: 'array', items: { ...route, properties: { ...(route.properties as object), orgId: int } } },
      resetPolicies: { type: 'array' },
      templates: { type: 'array', items: strict({ orgId: int, name: str, template: str }, ['name', 'template']) },
      deleteTemplates: { type: 'array' },
      muteTimes: { type: 'array' },
      deleteMuteTimes: { type: 'array' },
    },
    ['apiVersion'],
  ),
};
