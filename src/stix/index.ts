/**
 * `intelmesh/stix`: the STIX 2.1 object model, validator, deterministic identifiers,
 * versioning and bundle helpers. Pure: no I/O, no clock.
 */
export { formatPath, type Severity, type StixIssue, type ValidationResult } from './issues.js'
export * from './read-bundle.js'
export * from './sco-ids.js'
export * from './versioning.js'
