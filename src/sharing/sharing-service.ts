/**
 * The sharing administration of issue 5, for the CLI and the admin API alike: sharing groups,
 * an organisation's publishing defaults and ceilings, a collection's default distribution and
 * public flag, and the node's sharing settings. Each operation checks the actor's role (through
 * `AdminGuard`), validates its input naming the field, and appends a `share-change` audit entry.
 *
 * Who may do what:
 * - Sharing groups: any organisation admin creates one, owned by its organisation (node admins
 *   and the CLI name the owner); the owner's admins and node admins change its description and
 *   members and delete it; its owner and members (and node admins) read it.
 * - Organisation sharing: read by the organisation's users, changed by its admins; node admins
 *   both.
 * - Collection sharing and node settings: node admins change them; node settings are readable
 *   by every authenticated user (publishers need the default TLP).
 */
import { randomUUID } from 'node:crypto'
import {
  AdminGuard,
  AdminService,
  distributionJson,
  distributionScopes,
  roles,
  type AdminActor,
} from '../accounts/admin-service.js'
import type { JsonValue } from '../audit/audit-log.js'
import { AppError } from '../errors.js'
import type {
  Collection,
  Distribution,
  DistributionScope,
  Organisation,
  OrganisationSharing,
  Role,
  SharingCeiling,
  SharingGroup,
  Store,
  TlpLevel,
} from '../store/store.js'
import { TLP_LEVELS, isTlpLevel } from './tlp.js'
import { readAllianceIdentityId, readDefaultTlp, readNodeOrgId, sharingSettings } from './viewer.js'

/** A distribution as asked for: groups and recipients by name or id. */
export interface DistributionInput {
  scope: DistributionScope
  /** Sharing group names or ids (only with scope `groups`, and then at least one). */
  groups?: readonly string[] | undefined
  /** Recipient organisation names or ids. */
  recipients?: readonly string[] | undefined
}

/** A ceiling as asked for; at least one of the two. */
export interface CeilingInput {
  tlp?: TlpLevel | undefined
  scope?: DistributionScope | undefined
}

/** A change to an organisation's sharing: what is absent stays; `null` removes. */
export interface OrganisationSharingPatch {
  defaultDistribution?: DistributionInput | null | undefined
  anonymousByDefault?: boolean | undefined
  ceilings?:
    | {
        roles?: Partial<Record<Role, CeilingInput | null>> | undefined
        /** By user name or id (users of that organisation). */
        users?: Record<string, CeilingInput | null> | undefined
      }
    | undefined
}

export interface NamedRef {
  id: string
  name: string
}

export interface SharingGroupView {
  id: string
  name: string
  owner: NamedRef
  description: string
  members: NamedRef[]
  createdAt: string
}

export interface OrganisationSharingView {
  org: NamedRef
  defaultDistribution: Distribution | null
  anonymousByDefault: boolean
  ceilings: {
    roles: Partial<Record<Role, SharingCeiling>>
    users: (SharingCeiling & { user: NamedRef })[]
  }
}

export interface NewSharingGroup {
  name: string
  description?: string | undefined
  /** Owner organisation (name or id); default: the actor's own organisation. */
  owner?: string | undefined
  /** Initial member organisations (names or ids). */
  members?: readonly string[] | undefined
}

export interface CollectionSharingChange {
  public?: boolean | undefined
  defaultDistribution?: DistributionInput | undefined
}

export interface NodeSharingSettings {
  /** The TLP of objects without a TLP marking. */
  defaultTlp: TlpLevel
  /** False when the built-in default (AMBER) applies. */
  defaultTlpConfigured: boolean
  /** The identity anonymous objects are attributed to (null before bootstrap). */
  allianceIdentityId: string | null
  /** False when the node organisation's identity is used. */
  allianceIdentityConfigured: boolean
  nodeOrgId: string | null
}

export interface NodeSettingsChange {
  defaultTlp?: TlpLevel | undefined
  allianceIdentityId?: string | undefined
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const identityIdPattern = /^identity--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const controlCharacters = /[\u0000-\u001f\u007f]/

function invalid(detail: string): AppError {
  return new AppError('ADMIN_INVALID_INPUT', { detail })
}

function notFound(detail: string): AppError {
  return new AppError('STORE_NOT_FOUND', { detail })
}

function ceilingJson(ceiling: SharingCeiling): { [key: string]: JsonValue } {
  return {
    ...(ceiling.tlp !== undefined ? { tlp: ceiling.tlp } : {}),
    ...(ceiling.scope !== undefined ? { scope: ceiling.scope } : {}),
  }
}

function sharingJson(sharing: OrganisationSharing): { [key: string]: JsonValue } {
  const roles: { [key: string]: JsonValue } = {}
  for (const [role, ceiling] of Object.entries(sharing.ceilings.roles)) {
    if (ceiling !== undefined) roles[role] = ceilingJson(ceiling)
  }
  const users: { [key: string]: JsonValue } = {}
  for (const [userId, ceiling] of Object.entries(sharing.ceilings.users)) {
    users[userId] = ceilingJson(ceiling)
  }
  return {
    defaultDistribution:
      sharing.defaultDistribution === null ? null : distributionJson(sharing.defaultDistribution),
    anonymousByDefault: sharing.anonymousByDefault,
    ceilings: { roles, users },
  }
}

/** Sharing groups, organisation sharing, collection sharing and node settings as one actor. */
export class SharingService {
  readonly guard: AdminGuard
  readonly #store: Store
  readonly #admin: AdminService
  readonly #now: () => Date

  constructor(
    store: Store,
    actor: AdminActor,
    options: { now?: () => Date; clock?: () => number } = {},
  ) {
    this.#store = store
    this.#now = options.now ?? (() => new Date())
    this.#admin = new AdminService(store, options.now ? { now: options.now } : {})
    this.guard = new AdminGuard(store, actor, options.clock ? { clock: options.clock } : {})
  }

  // Distributions

  /** Checks a distribution and turns group and organisation names into ids. */
  async resolveDistribution(
    input: DistributionInput,
    field = 'distribution',
  ): Promise<Distribution> {
    if (!distributionScopes.includes(input.scope)) {
      throw invalid(
        `${field}.scope "${String(input.scope)}" is not one of ${distributionScopes.join(', ')}`,
      )
    }
    const groupRefs = input.groups ?? []
    if (input.scope === 'groups' && groupRefs.length === 0) {
      throw invalid(`${field}.groups must name at least one sharing group when scope is "groups"`)
    }
    if (input.scope !== 'groups' && groupRefs.length > 0) {
      throw invalid(`${field}.groups may be given only with scope "groups"`)
    }
    const groups: string[] = []
    for (const ref of groupRefs) {
      const group = await this.#findGroup(ref)
      if (!groups.includes(group.id)) groups.push(group.id)
    }
    const recipients: string[] = []
    for (const ref of input.recipients ?? []) {
      const org = await this.#admin.findOrganisation(ref)
      if (!recipients.includes(org.id)) recipients.push(org.id)
    }
    return { scope: input.scope, groups, recipients }
  }

  // Sharing groups

  async #findGroup(ref: string): Promise<SharingGroup> {
    const group =
      (await this.#store.getSharingGroupByName(ref)) ??
      (uuidPattern.test(ref) ? await this.#store.getSharingGroup(ref) : undefined)
    if (!group) throw notFound(`no sharing group "${ref}"`)
    return group
  }

  async #groupView(group: SharingGroup): Promise<SharingGroupView> {
    const names = new Map((await this.#store.listOrganisations()).map((o) => [o.id, o.name]))
    const named = (id: string): NamedRef => ({ id, name: names.get(id) ?? id })
    return {
      id: group.id,
      name: group.name,
      owner: named(group.ownerOrgId),
      description: group.description,
      members: group.members.map(named),
      createdAt: group.createdAt,
    }
  }

  #canRead(group: SharingGroup): boolean {
    if (this.guard.isNodeAdmin) return true
    const orgId = this.guard.ownOrgId
    return orgId !== undefined && (group.ownerOrgId === orgId || group.members.includes(orgId))
  }

  /** Groups the actor may read: all for node admins, else those its organisation owns or is in. */
  async listGroups(): Promise<SharingGroupView[]> {
    const orgId = this.guard.ownOrgId
    const groups = this.guard.isNodeAdmin
      ? await this.#store.listSharingGroups()
      : orgId === undefined
        ? []
        : await this.#store.listSharingGroups(orgId)
    return Promise.all(groups.map((g) => this.#groupView(g)))
  }

  async getGroup(ref: string): Promise<SharingGroupView> {
    const group = await this.#findGroup(ref)
    if (!this.#canRead(group)) {
      throw new AppError('ADMIN_FORBIDDEN', {
        detail: `only the owner and the members of sharing group "${group.name}" (and node admins) may read it`,
      })
    }
    return this.#groupView(group)
  }

  async createGroup(input: NewSharingGroup): Promise<SharingGroupView> {
    const name = input.name.trim()
    if (name === '' || name.length > 100 || controlCharacters.test(name)) {
      throw invalid('a sharing group name must have 1 to 100 characters, no control characters')
    }
    const description = input.description ?? ''
    if (description.length > 2000) throw invalid('description must have at most 2000 characters')
    const ownerRef = input.owner ?? this.guard.ownOrgId
    if (ownerRef === undefined) throw invalid('name the owner organisation of the group')
    const owner = await this.#admin.findOrganisation(ownerRef)
    await this.guard.requireOrgAdmin(owner.id, owner.name, 'create sharing groups it owns', {
      action: 'share-change',
      change: 'group.create',
      objectIds: [owner.id],
      details: { name },
    })
    if (await this.#store.getSharingGroupByName(name)) {
      throw new AppError('STORE_CONFLICT', { detail: `sharing group "${name}" already exists` })
    }
    const members: string[] = []
    for (const ref of input.members ?? []) {
      const org = await this.#admin.findOrganisation(ref)
      if (!members.includes(org.id)) members.push(org.id)
    }
    const group: SharingGroup = {
      id: randomUUID(),
      name,
      ownerOrgId: owner.id,
      description,
      members,
      createdAt: this.#now().toISOString(),
    }
    await this.#store.createSharingGroup(group)
    await this.guard.record({
      action: 'share-change',
      change: 'group.create',
      objectIds: [group.id, owner.id],
      details: { name, description, members },
    })
    return this.#groupView(group)
  }

  /** The group, once the actor is known to manage it (owner's admins, node admins). */
  async #managedGroup(ref: string, change: string, what: string): Promise<SharingGroup> {
    const group = await this.#findGroup(ref)
    if (!this.guard.isOrgAdmin(group.ownerOrgId)) {
      const owner = await this.#store.getOrganisation(group.ownerOrgId)
      await this.guard.deny(
        `only admins of the owner organisation "${owner?.name ?? group.ownerOrgId}" or node admins may ${what} of sharing group "${group.name}"`,
        { action: 'share-change', change, objectIds: [group.id] },
      )
    }
    return group
  }

  async updateGroup(
    ref: string,
    changes: { description?: string | undefined },
  ): Promise<SharingGroupView> {
    const group = await this.#managedGroup(ref, 'group.update', 'change the description')
    if (changes.description !== undefined && changes.description.length > 2000) {
      throw invalid('description must have at most 2000 characters')
    }
    if (changes.description !== undefined) {
      await this.#store.updateSharingGroup(group.id, { description: changes.description })
      await this.guard.record({
        action: 'share-change',
        change: 'group.update',
        objectIds: [group.id],
        details: { from: group.description, to: changes.description },
      })
    }
    return this.getGroup(group.id)
  }

  /** Adds a member; `added` is false when it already was one. */
  async addGroupMember(
    ref: string,
    orgRef: string,
  ): Promise<{ group: SharingGroupView; changed: boolean }> {
    const group = await this.#managedGroup(ref, 'group.add-member', 'add members')
    const org = await this.#admin.findOrganisation(orgRef)
    const changed = await this.#store.addSharingGroupMember(group.id, org.id)
    if (changed) {
      await this.guard.record({
        action: 'share-change',
        change: 'group.add-member',
        objectIds: [group.id, org.id],
        details: { group: group.name, member: org.name },
      })
    }
    return { group: await this.getGroup(group.id), changed }
  }

  /** Removes a member at once (the next read already excludes it); `changed` false if absent. */
  async removeGroupMember(
    ref: string,
    orgRef: string,
  ): Promise<{ group: SharingGroupView; changed: boolean }> {
    const group = await this.#managedGroup(ref, 'group.remove-member', 'remove members')
    const org = await this.#admin.findOrganisation(orgRef)
    const changed = await this.#store.removeSharingGroupMember(group.id, org.id)
    if (changed) {
      await this.guard.record({
        action: 'share-change',
        change: 'group.remove-member',
        objectIds: [group.id, org.id],
        details: { group: group.name, member: org.name },
      })
    }
    return { group: await this.getGroup(group.id), changed }
  }

  /**
   * Deletes a group. Versions distributed to it then reach no one through it (the rule treats
   * an unknown group as empty), so deleting never widens what anyone sees. Refused (409) while
   * an organisation's or a collection's default distribution names it.
   */
  async deleteGroup(ref: string): Promise<SharingGroupView> {
    const group = await this.#managedGroup(ref, 'group.delete', 'delete')
    const users = await this.#defaultsUsing(group.id)
    if (users.length > 0) {
      // Publishing with a default that names a deleted group would reach nobody, silently.
      throw new AppError('STORE_CONFLICT', {
        detail: `sharing group "${group.name}" is in the default distribution of ${users.join(', ')}; change that first`,
      })
    }
    const view = await this.#groupView(group)
    await this.#store.deleteSharingGroup(group.id)
    await this.guard.record({
      action: 'share-change',
      change: 'group.delete',
      objectIds: [group.id],
      details: { name: group.name, members: group.members },
    })
    return view
  }

  /** The organisations and collections whose default distribution names `groupId`. */
  async #defaultsUsing(groupId: string): Promise<string[]> {
    const [orgs, collections] = await Promise.all([
      this.#store.listOrganisations(),
      this.#store.listCollections(),
    ])
    const found: string[] = []
    for (const org of orgs) {
      const sharing = await this.#store.getOrganisationSharing(org.id)
      if (sharing.defaultDistribution?.groups.includes(groupId) === true) {
        found.push(`organisation "${org.name}"`)
      }
    }
    for (const collection of collections) {
      if (collection.defaultDistribution.groups.includes(groupId)) {
        found.push(`collection "${collection.alias}"`)
      }
    }
    return found
  }

  // Organisation sharing

  async #sharingView(
    org: Organisation,
    sharing: OrganisationSharing,
  ): Promise<OrganisationSharingView> {
    const users = new Map((await this.#store.listUsers(org.id)).map((u) => [u.id, u.name]))
    return {
      org: { id: org.id, name: org.name },
      defaultDistribution: sharing.defaultDistribution,
      anonymousByDefault: sharing.anonymousByDefault,
      ceilings: {
        roles: sharing.ceilings.roles,
        users: Object.entries(sharing.ceilings.users).map(([userId, ceiling]) => ({
          user: { id: userId, name: users.get(userId) ?? userId },
          ...ceiling,
        })),
      },
    }
  }

  async getOrganisationSharing(orgRef: string): Promise<OrganisationSharingView> {
    const org = await this.#admin.findOrganisation(orgRef)
    if (!this.guard.isNodeAdmin && this.guard.ownOrgId !== org.id) {
      throw new AppError('ADMIN_FORBIDDEN', {
        detail: `only users of organisation "${org.name}" and node admins may read its sharing settings`,
      })
    }
    return this.#sharingView(org, await this.#store.getOrganisationSharing(org.id))
  }

  #ceiling(input: CeilingInput, field: string): SharingCeiling {
    if (input.tlp === undefined && input.scope === undefined) {
      throw invalid(`${field} must give tlp, scope or both (or null to remove the ceiling)`)
    }
    if (input.tlp !== undefined && !isTlpLevel(input.tlp)) {
      throw invalid(`${field}.tlp "${String(input.tlp)}" is not one of ${TLP_LEVELS.join(', ')}`)
    }
    if (input.scope !== undefined && !distributionScopes.includes(input.scope)) {
      throw invalid(
        `${field}.scope "${String(input.scope)}" is not one of ${distributionScopes.join(', ')}`,
      )
    }
    return {
      ...(input.tlp !== undefined ? { tlp: input.tlp } : {}),
      ...(input.scope !== undefined ? { scope: input.scope } : {}),
    }
  }

  async updateOrganisationSharing(
    orgRef: string,
    patch: OrganisationSharingPatch,
  ): Promise<OrganisationSharingView> {
    const org = await this.#admin.findOrganisation(orgRef)
    await this.guard.requireOrgAdmin(org.id, org.name, 'change its sharing settings', {
      action: 'share-change',
      change: 'organisation.sharing',
      objectIds: [org.id],
    })
    const before = await this.#store.getOrganisationSharing(org.id)
    const after: OrganisationSharing = {
      defaultDistribution: before.defaultDistribution,
      anonymousByDefault: before.anonymousByDefault,
      ceilings: { roles: { ...before.ceilings.roles }, users: { ...before.ceilings.users } },
    }
    if (patch.defaultDistribution !== undefined) {
      after.defaultDistribution =
        patch.defaultDistribution === null
          ? null
          : await this.resolveDistribution(patch.defaultDistribution, 'defaultDistribution')
    }
    if (patch.anonymousByDefault !== undefined) {
      after.anonymousByDefault = patch.anonymousByDefault
    }
    for (const [role, ceiling] of Object.entries(patch.ceilings?.roles ?? {})) {
      const known = roles.find((r) => r === role)
      if (known === undefined) {
        throw invalid(`ceilings.roles.${role}: "${role}" is not one of ${roles.join(', ')}`)
      }
      if (ceiling === null || ceiling === undefined) delete after.ceilings.roles[known]
      else after.ceilings.roles[known] = this.#ceiling(ceiling, `ceilings.roles.${role}`)
    }
    for (const [userRef, ceiling] of Object.entries(patch.ceilings?.users ?? {})) {
      const user = await this.#admin.findUser(userRef)
      if (user.orgId !== org.id) {
        throw invalid(
          `ceilings.users.${userRef}: user "${user.name}" is not of organisation "${org.name}"`,
        )
      }
      if (ceiling === null || ceiling === undefined) delete after.ceilings.users[user.id]
      else after.ceilings.users[user.id] = this.#ceiling(ceiling, `ceilings.users.${userRef}`)
    }
    await this.#store.setOrganisationSharing(org.id, after)
    await this.guard.record({
      action: 'share-change',
      change: 'organisation.sharing',
      objectIds: [org.id],
      details: { from: sharingJson(before), to: sharingJson(after) },
    })
    return this.#sharingView(org, after)
  }

  // Collections

  async updateCollectionSharing(ref: string, change: CollectionSharingChange): Promise<Collection> {
    // Checked first: whether the collection exists is no business of a refused caller.
    await this.guard.requireNodeAdmin('change the sharing of collections', {
      action: 'share-change',
      change: 'collection.sharing',
      objectIds: [],
      details: { collection: ref },
    })
    const collection = await this.#admin.findCollection(ref)
    const changes: Partial<Pick<Collection, 'public' | 'defaultDistribution'>> = {}
    if (change.public !== undefined) changes.public = change.public
    if (change.defaultDistribution !== undefined) {
      changes.defaultDistribution = await this.resolveDistribution(
        change.defaultDistribution,
        'defaultDistribution',
      )
    }
    if (Object.keys(changes).length === 0) {
      throw invalid('give public, defaultDistribution or both')
    }
    await this.#store.updateCollection(collection.id, changes)
    const updated = { ...collection, ...changes }
    await this.guard.record({
      action: 'share-change',
      change: 'collection.sharing',
      objectIds: [collection.id],
      collectionId: collection.id,
      details: {
        alias: collection.alias,
        from: {
          public: collection.public,
          defaultDistribution: distributionJson(collection.defaultDistribution),
        },
        to: {
          public: updated.public,
          defaultDistribution: distributionJson(updated.defaultDistribution),
        },
      },
    })
    return updated
  }

  // Node settings

  async getNodeSettings(): Promise<NodeSharingSettings> {
    const [configuredTlp, defaultTlp, configuredAlliance, alliance, nodeOrgId] = await Promise.all([
      this.#store.getSetting(sharingSettings.defaultTlp),
      readDefaultTlp(this.#store),
      this.#store.getSetting(sharingSettings.allianceIdentityId),
      readAllianceIdentityId(this.#store),
      readNodeOrgId(this.#store),
    ])
    return {
      defaultTlp,
      defaultTlpConfigured: isTlpLevel(configuredTlp),
      allianceIdentityId: alliance ?? null,
      allianceIdentityConfigured: configuredAlliance !== undefined,
      nodeOrgId: nodeOrgId ?? null,
    }
  }

  async updateNodeSettings(change: NodeSettingsChange): Promise<NodeSharingSettings> {
    await this.guard.requireNodeAdmin('change node settings', {
      action: 'share-change',
      change: 'node.settings',
      objectIds: [],
    })
    if (change.defaultTlp === undefined && change.allianceIdentityId === undefined) {
      throw invalid('give defaultTlp, allianceIdentityId or both')
    }
    if (change.defaultTlp !== undefined && !isTlpLevel(change.defaultTlp)) {
      throw invalid(
        `defaultTlp "${String(change.defaultTlp)}" is not one of ${TLP_LEVELS.join(', ')}`,
      )
    }
    if (
      change.allianceIdentityId !== undefined &&
      !identityIdPattern.test(change.allianceIdentityId)
    ) {
      throw invalid(
        `allianceIdentityId "${change.allianceIdentityId}" is not an identity id (identity--<uuid>)`,
      )
    }
    const before = await this.getNodeSettings()
    if (change.defaultTlp !== undefined) {
      await this.#store.setSetting(sharingSettings.defaultTlp, change.defaultTlp)
    }
    if (change.allianceIdentityId !== undefined) {
      await this.#store.setSetting(sharingSettings.allianceIdentityId, change.allianceIdentityId)
    }
    const after = await this.getNodeSettings()
    await this.guard.record({
      action: 'share-change',
      change: 'node.settings',
      objectIds: [],
      details: {
        from: { defaultTlp: before.defaultTlp, allianceIdentityId: before.allianceIdentityId },
        to: { defaultTlp: after.defaultTlp, allianceIdentityId: after.allianceIdentityId },
      },
    })
    return after
  }
}
