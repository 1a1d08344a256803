/**
 * intelmesh: threat-intelligence sharing for security alliances.
 *
 * The package root re-exports the error catalogue; the pure libraries have their own
 * entry points: `intelmesh/stix` and `intelmesh/pattern`.
 */
export { AppError, errorCatalogue, isAppError, type ErrorCode } from './errors.js'
