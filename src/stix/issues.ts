/**
 * Findings of the STIX validator. Each names the object, the JSON path of the property,
 * the rule broken (a stable code plus the specification section) and a message for people.
 */
export type Severity = 'error' | 'warning'

export interface StixIssue {
  severity: Severity
  /** Stable rule code, e.g. `required-property`, `timestamp-format`, `reference-type`. */
  code: string
  /** Path of the property inside the object, as JSON path segments, e.g. `['kill_chain_phases', 0, 'phase_name']`. */
  path: (string | number)[]
  /** The object's `id` when it has a usable one. */
  objectId?: string
  /** Index of the object within a bundle or NDJSON input, when validating many. */
  index?: number
  /** The STIX 2.1 section that states the rule, e.g. `3.2` or `4.7`. */
  section?: string
  message: string
}

export type ValidationResult<T = Record<string, unknown>> =
  { ok: true; object: T; issues: StixIssue[] } | { ok: false; issues: StixIssue[] }

/** Renders a JSON path like `$.kill_chain_phases[0].phase_name`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '$'
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out
}
