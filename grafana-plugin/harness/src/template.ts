// Emulated, not Grafana's template service: the subset of variable replacement the panels' data
// links use — dashboard variables (${name}), ${__url_time_range}, and the data-link variables
// Grafana derives from a link's row: ${__data.fields.NAME} (the field's display text at that row,
// through @grafana/data's getFieldDisplayValuesProxy, as Grafana does), ${__field.name},
// ${__field.labels.NAME} and ${__value.raw}. Values are URI-encoded when the caller asks for it
// (Grafana's data links do).
import {
  getFieldDisplayValuesProxy,
  type DataFrame,
  type Field,
  type InterpolateFunction,
  type ScopedVars,
} from '@grafana/data';

interface DataContext {
  frame?: DataFrame;
  field?: Field;
  rowIndex?: number;
}

export function templateReplacer(args: { fromMs: number; toMs: number; variables?: Record<string, string> }) {
  const replace: InterpolateFunction = (text, scopedVars, format) =>
    text.replace(/\$\{([\w.]+)(?::(\w+))?\}/g, (whole, path: string) => {
      if (path === '__url_time_range') return `from=${args.fromMs}&to=${args.toMs}`;
      const value = lookup(path, scopedVars, args.variables);
      if (value === undefined) return whole;
      if (typeof format === 'function') return String((format as (v: unknown) => unknown)(value));
      return format === 'uriencode' || format === 'percentencode' ? encodeURIComponent(value) : value;
    });
  return replace;
}

function lookup(
  path: string,
  scopedVars: ScopedVars | undefined,
  variables?: Record<string, string>,
): string | undefined {
  if (variables && path in variables) return variables[path];
  const context = (scopedVars?.__dataContext?.value ?? {}) as DataContext;
  const [head, second, third] = path.split('.');
  if (head === '__data' && second === 'fields' && third && context.frame && context.rowIndex !== undefined) {
    const value = getFieldDisplayValuesProxy({ frame: context.frame, rowIndex: context.rowIndex })[third];
    return value === undefined ? undefined : String(value);
  }
  if (head === '__field' && context.field) {
    if (second === 'name') return context.field.name;
    if (second === 'labels' && third) return context.field.labels?.[third];
  }
  if (head === '__value' && second === 'raw' && context.field && context.rowIndex !== undefined) {
    return String(context.field.values[context.rowIndex]);
  }
  return undefined;
}
