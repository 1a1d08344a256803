/**
 * The Add Objects use case (TAXII 2.1 section 5.5): a TAXII envelope in, each object
 * validated, its audience decided (issue 5: `x_intelmesh_sharing` > POST parameters >
 * organisation default > collection default, ceilings, TLP:RED recipients; see
 * src/sharing/publish.ts), the accepted ones stored in one transaction with their metadata, and
 * a complete status resource (section 4.3.1) recorded for the requester and returned.
 *
 * A peer node's write (its push, issue 6) follows the same inbound rules as a pull: the
 * audience from the TLP (`inboundDistribution`, src/sharing/inbound.ts; an object or the POST
 * may only narrow it), never anonymous, no ceiling, and no new version of an object published
 * on this node (STIX 2.1 section 3.6).
 */
import { randomUUID } from 'node:crypto'
import { AppError, isAppError } from '../errors.js'
import { foreignVersionRefusal, inboundDistribution } from '../sharing/inbound.js'
import {
  SHARING_PROPERTY,
  decidePublication,
  parseSharingProperty,
  type SharingRequest,
} from '../sharing/publish.js'
import { formatPath, validateStix, type StixIssue } from '../stix/index.js'
import { splitObjectsArray, type SplitResult } from '../stix/read-bundle.js'
import type {
  Collection,
  NewObjectVersion,
  StatusDetail,
  StatusRecord,
  Store,
} from '../store/store.js'
import { readDefaultTlp, readNodeOrgId } from '../sharing/viewer.js'
import { microsToTimestamp } from '../store/timestamps.js'
import { objectMetadata, objectVersion, type Publisher } from './object-metadata.js'
import { versionsOfOthersObjects, versionsOfOwnObjects } from './peer-versions.js'
import { readPublishingFacts, type Writer } from './publishing-context.js'

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
  /**
   * Who writes: their ceiling applies; a peer's objects get the peer as origin and the inbound
   * audience of src/sharing/inbound.ts.
   */
  writer?: Writer
  /** The audience the POST asks for (its query parameters); objects may override it. */
  sharing?: SharingRequest
}

/** One element of the envelope made ready: its sharing request split off its JSON. */
type Prepared =
  | { ok: false; failure: StatusDetail }
  | { ok: true; object: Record<string, unknown>; raw: string; sharing?: SharingRequest }

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * Validates one element after taking `x_intelmesh_sharing` out of it: the stored JSON never
 * carries the property (re-serialised only then; otherwise kept byte for byte as received).
 */
function prepare(value: unknown, raw: string, index: number): Prepared {
  let object: unknown = value
  let text = raw
  let request: unknown
  const carries = isRecord(value) && Object.hasOwn(value, SHARING_PROPERTY)
  if (carries) {
    const { [SHARING_PROPERTY]: property, ...rest } = value
    request = property
    object = rest
    text = JSON.stringify(rest)
  }
  const result = validateStix(object)
  if (!result.ok) {
    return {
      ok: false,
      failure: {
        id: describeId(value, index),
        version: describeVersion(value),
        message: failureMessage(result.issues),
      },
    }
  }
  if (!carries) return { ok: true, object: result.object, raw: text }
  const parsed = parseSharingProperty(request)
  if (!parsed.ok) {
    return {
      ok: false,
      failure: {
        id: describeId(value, index),
        version: describeVersion(value),
        message: `${describeId(value, index)}: ${parsed.message}`,
      },
    }
  }
  return { ok: true, object: result.object, raw: text, sharing: parsed.request }
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
  const prepared = split.objects.map((element) =>
    prepare(element.value, element.raw, element.index),
  )
  const peerId = input.writer?.peerId
  if (peerId === undefined) {
    const rows = await decideOwnWrites(store, input, prepared, failures)
    const taken = new Set(
      await versionsOfOthersObjects(store, input.collection.id, rows, input.publisher.orgId),
    )
    for (const row of rows) {
      if (!taken.has(row)) accepted.push(row)
      else {
        failures.push({
          id: row.id,
          version: row.version,
          message: `${row.id} version ${row.version === '' ? '(none)' : row.version}: not stored: another publisher holds this object here, and only its creator makes new versions of it (STIX 2.1 section 3.6)`,
        })
      }
    }
  } else {
    const rows = await decidePeerWrites(store, input, peerId, prepared, failures)
    const forged = new Set(await versionsOfOwnObjects(store, input.collection.id, rows))
    for (const row of rows) {
      if (!forged.has(row)) accepted.push(row)
      else {
        failures.push({
          id: row.id,
          version: row.version,
          message: foreignVersionRefusal(row.id, row.version),
        })
      }
    }
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

/**
 * The rows of a write by this node's own users and keys (issue 5): the publisher's choices,
 * defaults, ceilings and TLP:RED recipients. Refusals go to `failures`.
 */
async function decideOwnWrites(
  store: Store,
  input: AddEnvelopeInput,
  prepared: readonly Prepared[],
  failures: StatusDetail[],
): Promise<NewObjectVersion[]> {
  const requests: SharingRequest[] = input.sharing ? [input.sharing] : []
  for (const item of prepared) if (item.ok && item.sharing) requests.push(item.sharing)
  const { context, defaultTlp } = await readPublishingFacts(
    store,
    input.collection,
    input.publisher.orgId,
    input.writer,
    requests,
  )
  const rows: NewObjectVersion[] = []
  for (const item of prepared) {
    if (!item.ok) {
      failures.push(item.failure)
      continue
    }
    const row = objectMetadata(item.object, item.raw, input.collection, input.publisher)
    const decided = decidePublication(
      row.id,
      row.tlp ?? defaultTlp,
      item.sharing,
      input.sharing,
      context,
    )
    if (!decided.ok) {
      failures.push({ id: row.id, version: row.version, message: decided.message })
      continue
    }
    rows.push({
      ...row,
      distribution: decided.distribution,
      anonymous: decided.anonymous,
      originPeer: null,
    })
  }
  return rows
}

/**
 * The rows of a peer node's write (issue 6, "Inbound"), exactly as a pull stores them: the
 * audience from the TLP, narrowed (never widened) by the distribution the object asks for, or
 * else the POST; the groups and recipients it names belong to the other node and do not apply
 * here. Never anonymous (an anonymous object arrives already attributed to the alliance).
 */
async function decidePeerWrites(
  store: Store,
  input: AddEnvelopeInput,
  peerId: string,
  prepared: readonly Prepared[],
  failures: StatusDetail[],
): Promise<NewObjectVersion[]> {
  const [defaultTlp, nodeOrgId] = await Promise.all([readDefaultTlp(store), readNodeOrgId(store)])
  const rows: NewObjectVersion[] = []
  for (const item of prepared) {
    if (!item.ok) {
      failures.push(item.failure)
      continue
    }
    const row = objectMetadata(item.object, item.raw, input.collection, input.publisher)
    const asked = item.sharing?.scope ?? input.sharing?.scope
    rows.push({
      ...row,
      distribution: inboundDistribution(
        row.tlp ?? defaultTlp,
        nodeOrgId,
        asked === undefined ? undefined : { distribution: asked },
      ),
      anonymous: false,
      originPeer: peerId,
    })
  }
  return rows
}
