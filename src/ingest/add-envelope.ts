/**
 * The Add Objects use case (TAXII 2.1 section 5.5): a TAXII envelope in, each object
 * validated, the valid ones stored in one transaction with their metadata, and a complete
 * status resource (section 4.3.1) recorded for the requester and returned.
 */
import { randomUUID } from 'node:crypto'
import { AppError, isAppError } from '../errors.js'
import { formatPath, validateStix, type StixIssue } from '../stix/index.js'
import { splitObjectsArray, type SplitResult } from '../stix/read-bundle.js'
import type {
  Collection,
  NewObjectVersion,
  StatusDetail,
  StatusRecord,
  Store,
} from '../store/store.js'
import { microsToTimestamp } from '../store/timestamps.js'
import { objectMetadata, objectVersion, type Publisher } from './object-metadata.js'

/** How long a status stays readable after completion (section 4.3: at least 24 hours). */
export const STATUS_RETENTION_MICROS = 24 * 3600 * 1_000_000

/** Deepest JSON nesting accepted in an envelope (the envelope itself is depth 1). */
export const MAX_ENVELOPE_DEPTH = 64

export interface AddEnvelopeInput {
  collection: Collection
  /** The requester, who alone may read the status. */
  ownerUserId: string
  publisher: Publisher
  /** The request body, decoded as UTF-8. */
  body: string
  /** The request time, in microseconds since the epoch. */
  nowMicros: number
}

/** The failure message of an invalid object: each error issue with its path and rule. */
function failureMessage(issues: readonly StixIssue[]): string {
  const errors = issues.filter((issue) => issue.severity === 'error')
  const shown = errors.slice(0, 20).map((issue) => {
    const section = issue.section ? ` (STIX 2.1 section ${issue.section})` : ''
    return `${formatPath(issue.path)}: ${issue.message} [${issue.code}${section}]`
  })
  const more = errors.length > shown.length ? `; and ${errors.length - shown.length} more` : ''
  return `invalid STIX object: ${shown.join('; ')}${more}`
}

function describeId(value: unknown, index: number): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const id = (value as Record<string, unknown>)['id']
    if (typeof id === 'string' && id !== '') return id
  }
  return `objects[${index}]`
}

function describeVersion(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return objectVersion(value as Record<string, unknown>)
  }
  return ''
}

/**
 * Splits the body into its objects, keeping each one's raw text. JSON that cannot be read is a
 * 400; readable JSON that is not an envelope (a top-level array, `objects` not a list) is
 * "unprocessable content" (TAXII 2.1 section 5.5: 422).
 */
function readEnvelope(body: string): SplitResult {
  try {
    return splitObjectsArray(body, { maxDepth: MAX_ENVELOPE_DEPTH })
  } catch (error) {
    if (isAppError(error, 'STIX_UNUSABLE_INPUT')) {
      throw new AppError('TAXII_UNPROCESSABLE', {
        detail: `not a TAXII envelope: ${error.detail ?? error.message}`,
        cause: error,
      })
    }
    throw error
  }
}

/**
 * Reads the envelope, validates each object, stores the valid ones (one transaction) and
 * records the status. Throws an `AppError` when the body is not a TAXII envelope: 400 for
 * invalid JSON, JSON nested too deeply or a STIX bundle, 422 for other shapes; nothing is
 * stored then.
 */
export async function addEnvelope(store: Store, input: AddEnvelopeInput): Promise<StatusRecord> {
  const split = readEnvelope(input.body)
  if (split.members['type'] === 'bundle') {
    throw new AppError('TAXII_BAD_REQUEST', {
      detail:
        'the body is a STIX bundle; TAXII 2.1 section 5.5 requires a TAXII envelope: {"objects": [ ... ]}',
    })
  }
  const successes: StatusDetail[] = []
  const failures: StatusDetail[] = []
  const accepted: NewObjectVersion[] = []
  for (const element of split.objects) {
    const result = validateStix(element.value)
    if (!result.ok) {
      failures.push({
        id: describeId(element.value, element.index),
        version: describeVersion(element.value),
        message: failureMessage(result.issues),
      })
      continue
    }
    accepted.push(objectMetadata(result.object, element.raw, input.collection, input.publisher))
  }
  if (accepted.length > 0) {
    const results = await store.addObjects(accepted, input.nowMicros)
    for (const result of results) {
      successes.push(
        result.outcome === 'added'
          ? { id: result.id, version: result.version }
          : {
              id: result.id,
              version: result.version,
              message: 'this version was already in the collection; not stored again',
            },
      )
    }
  }
  const status: StatusRecord = {
    id: randomUUID(),
    apiRootId: input.collection.apiRootId,
    ownerUserId: input.ownerUserId,
    status: 'complete',
    requestTimestamp: microsToTimestamp(input.nowMicros),
    totalCount: split.objects.length,
    successes,
    failures,
    pendings: [],
    expiresAt: microsToTimestamp(input.nowMicros + STATUS_RETENTION_MICROS),
  }
  await store.createStatus(status)
  return status
}
