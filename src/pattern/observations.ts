/**
 * Observations, the input of pattern matching (STIX 2.1 section 9.1): an `observed-data`
 * object says that its SCOs were seen `number_observed` times between `first_observed` and
 * `last_observed`. This module turns observed-data (with `object_refs` resolved inside a
 * bundle, or the deprecated `objects` dictionary) into {@link Observation} values.
 */
import { parseTimestamp } from './lexer.js'

/** A STIX Cyber-observable Object as plain JSON (it has at least a `type`). */
export type Sco = Readonly<Record<string, unknown>>

/** One observation: what the matcher evaluates an observation expression against. */
export interface Observation {
  /** The observed-data id, or another reference to the event (for hits). */
  readonly id: string
  /** `first_observed`, epoch microseconds. */
  readonly firstObserved: number
  /** `last_observed`, epoch microseconds. */
  readonly lastObserved: number
  /** `number_observed` (at least 1). */
  readonly numberObserved: number
  /** The SCOs an object path may start from (section 9.5: all paths start at one of them). */
  readonly objects: readonly Sco[]
  /**
   * Resolves a `_ref`/`_refs` value: an SCO id listed in `object_refs`, or a key of the
   * deprecated `objects` dictionary (section 9.7.4). Anything else is not found.
   */
  readonly refs: ScoLookup
}

/** Resolves a reference to an SCO of the same observation (a `Map` will do). */
export interface ScoLookup {
  get(ref: string): Sco | undefined
}

/** Input of {@link makeObservation}. */
export interface ObservationInit {
  id: string
  firstObserved: number
  lastObserved?: number
  numberObserved?: number
  /** SCOs as a list (referenced by their `id`) or as an `objects`-style dictionary. */
  objects: readonly Sco[] | Readonly<Record<string, Sco>>
}

/** Builds an {@link Observation} from SCOs (a list keyed by `id`, or a dictionary). */
export function makeObservation(init: ObservationInit): Observation {
  const refs = new Map<string, Sco>()
  let objects: Sco[]
  if (Array.isArray(init.objects)) {
    objects = init.objects as Sco[]
    for (const sco of objects) {
      const id = sco['id']
      if (typeof id === 'string') refs.set(id, sco)
    }
  } else {
    objects = []
    for (const [key, sco] of Object.entries(init.objects as Record<string, Sco>)) {
      objects.push(sco)
      refs.set(key, sco)
    }
  }
  return {
    id: init.id,
    firstObserved: init.firstObserved,
    lastObserved: init.lastObserved ?? init.firstObserved,
    numberObserved: init.numberObserved ?? 1,
    objects,
    refs,
  }
}

/** Result of {@link observationsFromStix}: observations, and why objects were skipped. */
export interface ObservationsResult {
  observations: Observation[]
  /** One line per skipped observed-data or dangling reference, naming the object. */
  problems: string[]
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Epoch microseconds of a STIX timestamp, or `undefined` when it is not one. */
export function timestampMicros(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const micros = parseTimestamp(value)
  return typeof micros === 'number' ? micros : undefined
}

/**
 * Extracts the observations of a STIX bundle, an array of objects, or a single
 * `observed-data` object (section 4.14). With `object_refs`, only the listed SCOs that the
 * input carries are part of the observation (section 9.7.4); with the deprecated `objects`
 * dictionary, its keys are the references.
 */
export function observationsFromStix(input: unknown): ObservationsResult {
  const problems: string[] = []
  let objects: unknown[]
  if (Array.isArray(input)) objects = input
  else if (isRecord(input) && input['type'] === 'bundle')
    objects = Array.isArray(input['objects']) ? input['objects'] : []
  else objects = [input]
  const byId = new Map<string, Sco>()
  for (const o of objects) if (isRecord(o) && typeof o['id'] === 'string') byId.set(o['id'], o)
  const observations: Observation[] = []
  for (const o of objects) {
    if (!isRecord(o) || o['type'] !== 'observed-data') continue
    const id = typeof o['id'] === 'string' ? o['id'] : '(observed-data without id)'
    const first = timestampMicros(o['first_observed'])
    const last = timestampMicros(o['last_observed'])
    if (first === undefined || last === undefined) {
      problems.push(`${id}: first_observed and last_observed must be STIX timestamps`)
      continue
    }
    const count = o['number_observed']
    const numberObserved =
      typeof count === 'number' && Number.isInteger(count) && count >= 1 ? count : 1
    if (Array.isArray(o['object_refs'])) {
      const scos: Sco[] = []
      for (const ref of o['object_refs']) {
        const sco = typeof ref === 'string' ? byId.get(ref) : undefined
        if (sco) scos.push(sco)
        else problems.push(`${id}: object_refs entry ${JSON.stringify(ref)} is not in the input`)
      }
      observations.push(
        makeObservation({
          id,
          firstObserved: first,
          lastObserved: last,
          numberObserved,
          objects: scos,
        }),
      )
    } else if (isRecord(o['objects'])) {
      const dict: Record<string, Sco> = {}
      for (const [key, sco] of Object.entries(o['objects'])) if (isRecord(sco)) dict[key] = sco
      observations.push(
        makeObservation({
          id,
          firstObserved: first,
          lastObserved: last,
          numberObserved,
          objects: dict,
        }),
      )
    } else {
      problems.push(`${id}: has neither object_refs nor objects`)
    }
  }
  return { observations, problems }
}
