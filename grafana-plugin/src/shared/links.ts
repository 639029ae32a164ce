// Grafana data links of a clicked cell or link: the value field's links, interpolated by Grafana
// for the row the pair came from (`${__data.fields.src}`, `${__field.labels.instance}`, …).
import type { Field, LinkModel } from '@grafana/data';

/** The data links of `field` for one row (none when the field has no links or no row). */
export function linksAt(field: Field | undefined, rowIndex: number): Array<LinkModel<Field>> {
  if (!field?.getLinks || rowIndex < 0) return [];
  return field.getLinks({ valueRowIndex: rowIndex });
}

/**
 * Follows a link the way an anchor in a Grafana panel does: a real <a> click, which Grafana's
 * link interception turns into in-app navigation (and a browser follows anywhere else).
 */
export function followLink(link: LinkModel<Field>): void {
  if (link.onClick) {
    link.onClick(new MouseEvent('click'));
    return;
  }
  const anchor = document.createElement('a');
  anchor.href = link.href;
  if (link.target) anchor.target = link.target;
  anchor.rel = 'noopener noreferrer';
  anchor.style.display = 'none';
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
}
