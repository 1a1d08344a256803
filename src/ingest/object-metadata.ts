import type { Collection, NewObjectVersion } from '../store/store.js'
import { versionKeyOf } from '../store/timestamps.js'
import { declaredTlp } from '../sharing/tlp.js'

/** Who publishes: the organisation and the actor recorded with each stored version. */
export interface Publisher {
  orgId: string | null
  /** The user, key or peer that wrote it, e.g. `user:<id>` or `key:<id>`. */
  actor: string | null
}

/**
 * The version of a STIX object as TAXII reports it: `modified`, else `created`, else the
 * empty string (TAXII 2.1 sections 3.4.1 and 4.3.1).
 */
export function objectVersion(object: Readonly<Record<string, unknown>>): string {
  const { modified, created } = object
  if (typeof modified === 'string') return modified
  if (typeof created === 'string') return created
  return ''
}

/**
 * Builds the row for one validated STIX object: its raw JSON as received plus the platform's
 * metadata beside it (publisher, markings, TLP, the collection's default distribution).
 */
export function objectMetadata(
  object: Readonly<Record<string, unknown>>,
  raw: string,
  collection: Collection,
  publisher: Publisher,
): NewObjectVersion {
  const markingRefs = Array.isArray(object['object_marking_refs'])
    ? object['object_marking_refs'].filter((ref): ref is string => typeof ref === 'string')
    : []
  const version = objectVersion(object)
  return {
    collectionId: collection.id,
    id: String(object['id']),
    type: String(object['type']),
    specVersion: typeof object['spec_version'] === 'string' ? object['spec_version'] : '2.1',
    version,
    versionKey: versionKeyOf(version),
    json: raw,
    publisherOrgId: publisher.orgId,
    publisherActor: publisher.actor,
    markingRefs,
    tlp: declaredTlp(markingRefs) ?? null,
    distribution: {
      scope: collection.defaultDistribution.scope,
      groups: [...collection.defaultDistribution.groups],
      recipients: [...collection.defaultDistribution.recipients],
    },
    anonymous: false,
    originPeer: null,
    revoked: object['revoked'] === true,
  }
}
