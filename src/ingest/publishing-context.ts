/**
 * The I/O half of publishing (issue 5): reads what `decidePublication` (src/sharing/publish.ts)
 * needs for one add-objects request — the publishing organisation's defaults and the ceiling
 * binding the writer, the node default TLP, and the sharing groups and organisations the
 * request names (by id or by name).
 */
import type {
  Role,
  SharingGroup,
  Organisation,
  Store,
  TlpLevel,
  Collection,
} from '../store/store.js'
import { ceilingFor, type PublishContext, type SharingRequest } from '../sharing/publish.js'
import { readDefaultTlp } from '../sharing/viewer.js'

/**
 * Who writes: the user (for ceilings) and, for a peer node's key, the peer (whose objects get
 * the inbound audience instead, src/sharing/inbound.ts).
 */
export interface Writer {
  userId: string
  userName: string
  role: Role
  /** Set when the request comes with a peer node's key (issue 6): the origin of its objects. */
  peerId?: string
}

/** The facts of one request: the publishing context and the node default TLP. */
export interface PublishingFacts {
  context: PublishContext
  defaultTlp: TlpLevel
}

async function findGroup(store: Store, ref: string): Promise<SharingGroup | undefined> {
  return (await store.getSharingGroup(ref)) ?? (await store.getSharingGroupByName(ref))
}

async function findOrganisation(store: Store, ref: string): Promise<Organisation | undefined> {
  return (await store.getOrganisation(ref)) ?? (await store.getOrganisationByName(ref))
}

/**
 * Reads the publishing facts for `publisherOrgId` writing into `collection`, resolving every
 * group and organisation that `requests` name (each looked up once).
 */
export async function readPublishingFacts(
  store: Store,
  collection: Collection,
  publisherOrgId: string | null,
  writer: Writer | undefined,
  requests: readonly SharingRequest[],
): Promise<PublishingFacts> {
  const groupRefs = new Set<string>()
  const orgRefs = new Set<string>()
  for (const request of requests) {
    for (const ref of request.groups ?? []) groupRefs.add(ref)
    for (const ref of request.recipients ?? []) orgRefs.add(ref)
  }
  const [sharing, defaultTlp, groups, organisations] = await Promise.all([
    publisherOrgId === null ? undefined : store.getOrganisationSharing(publisherOrgId),
    readDefaultTlp(store),
    Promise.all([...groupRefs].map(async (ref) => [ref, await findGroup(store, ref)] as const)),
    Promise.all(
      [...orgRefs].map(async (ref) => [ref, await findOrganisation(store, ref)] as const),
    ),
  ])
  const groupMap = new Map<string, SharingGroup>()
  for (const [ref, group] of groups) if (group) groupMap.set(ref, group)
  const orgMap = new Map<string, Organisation>()
  for (const [ref, org] of organisations) if (org) orgMap.set(ref, org)
  const context: PublishContext = {
    publisherOrgId: publisherOrgId ?? '',
    organisationDefault: sharing?.defaultDistribution ?? null,
    anonymousByDefault: sharing?.anonymousByDefault ?? false,
    collectionDefault: collection.defaultDistribution,
    ceiling:
      sharing === undefined || writer === undefined
        ? undefined
        : ceilingFor(sharing.ceilings, {
            id: writer.userId,
            name: writer.userName,
            role: writer.role,
          }),
    groups: groupMap,
    organisations: orgMap,
  }
  return { context, defaultTlp }
}
