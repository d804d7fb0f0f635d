/** Label selector matching, as the API machinery does it. */
import { arrayAt, isRecord, recordAt, stringAt } from './k8s.js';

/** True when every key=value of a Service-style selector is in `labels`. An empty selector selects nothing. */
export function mapSelectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  let any = false;
  for (const key in selector) {
    any = true;
    if (labels[key] !== selector[key]) return false;
  }
  return any;
}

/**
 * True when a LabelSelector (matchLabels + matchExpressions) matches `labels`. An empty
 * LabelSelector matches everything (API semantics for PDBs); a missing one matches nothing.
 */
export function labelSelectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isRecord(selector)) return false;
  // matchLabels' string values (stringMapAt), read in place.
  const matchLabels = recordAt(selector, 'matchLabels');
  for (const key in matchLabels) {
    const value = matchLabels[key];
    if (typeof value === 'string' && labels[key] !== value) return false;
  }
  for (const req of arrayAt(selector, 'matchExpressions')) {
    const key = stringAt(req, 'key');
    const operator = stringAt(req, 'operator');
    if (key === undefined || operator === undefined) return false;
    const values = arrayAt(req, 'values').filter((v): v is string => typeof v === 'string');
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    switch (operator) {
      case 'In':
        if (!has || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
