/**
 * `intelmesh/pattern`: STIX Patterning (STIX 2.1 section 9): parser, printer, validator,
 * matcher and the compiled engine. Pure: no I/O, no clock.
 */
export * from './ast.js'
export * from './pattern-issue.js'
export { parsePattern, type ParseOptions } from './parse-pattern.js'
export { printPattern, printPath, printConstant } from './print-pattern.js'
export { validatePattern } from './validate-pattern.js'
