/**
 * `intelmesh/stix`: the STIX 2.1 object model, validator, deterministic identifiers,
 * versioning and bundle helpers. Pure: no I/O, no clock.
 */
export { formatPath, type Severity, type StixIssue, type ValidationResult } from './issues.js'
export {
  createObjectValidator,
  isValidStix,
  validateBundle,
  validateObjects,
  validateStix,
  type ManyValidationResult,
  type ValidateOptions,
} from './validate.js'
export type * from './types.js'
export * from './type-names.js'
export * from './vocabularies.js'
export * from './tlp.js'
export * from './relationship-types.js'
export * from './rule-codes.js'
export {
  checkTimestamp,
  compareTimestamps,
  isIpv4Cidr,
  isIpv6Cidr,
  isLanguageTag,
  isMac48,
} from './formats.js'
export * from './read-bundle.js'
export * from './sco-ids.js'
export * from './versioning.js'
export * from './bundle.js'
