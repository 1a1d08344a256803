/**
 * `intelmesh/pattern`: STIX Patterning (STIX 2.1 section 9): parser, printer, validator,
 * matcher and the compiled engine. Pure: no I/O, no clock.
 */
export * from './ast.js'
export * from './pattern-issue.js'
export { parsePattern, type ParseOptions } from './parse-pattern.js'
export { printPattern, printPath, printConstant } from './print-pattern.js'
export { validatePattern } from './validate-pattern.js'
export {
  evaluatePattern,
  matchObservation,
  type MatchedValue,
  type PatternMatch,
} from './evaluate.js'
export {
  makeObservation,
  observationsFromStix,
  type Observation,
  type Sco,
} from './observations.js'
export {
  compile,
  PatternEngine,
  type CompileOptions,
  type CompileResult,
  type EngineHit,
  type SkippedIndicator,
} from './engine/pattern-engine.js'
export { eventToObservations, type EventMapping, type EventMappingOptions } from './events.js'
export { compileRegex, type SafeRegex } from './regex/safe-regex.js'
export { parseIpNetwork, networkContains, type IpNetwork } from './ip.js'
