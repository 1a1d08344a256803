/**
 * Admin API routes for sharing (issue 5): sharing groups, organisation sharing settings,
 * API roots, collections with their grants and sharing, node settings, and explain.
 */
import { AuthorisedAdmin, type AdminActor } from '../accounts/admin-service.js'
import { AppError } from '../errors.js'
import { explainVisibility } from '../sharing/explain.js'
import { SharingService } from '../sharing/sharing-service.js'
import { z } from 'zod'
import type { AdminRequest, AdminRoute } from './route.js'
import { defineRoute, param, requiredQuery } from './route.js'
import {
  apiRootCreateSchema,
  apiRootSchema,
  collectionCreateSchema,
  collectionListingSchema,
  collectionSchema,
  collectionUpdateSchema,
  explanationSchema,
  grantSchema,
  grantViewSchema,
  groupCreateSchema,
  groupUpdateSchema,
  groupViewSchema,
  memberChangeSchema,
  nodeSettingsSchema,
  nodeSettingsViewSchema,
  organisationSharingSchema,
  organisationSharingViewSchema,
} from './schemas.js'

type Authenticated = AdminRequest<unknown> & { actor: AdminActor }

function sharingOf(request: Authenticated): SharingService {
  return new SharingService(request.store, request.actor, { clock: request.clock })
}

function adminOf(request: Authenticated): AuthorisedAdmin {
  return new AuthorisedAdmin(request.store, request.actor, { clock: request.clock })
}

function grantSubject(body: { org?: string | undefined; user?: string | undefined }): {
  org?: string
  user?: string
} {
  if ((body.org === undefined) === (body.user === undefined)) {
    throw new AppError('ADMIN_INVALID_INPUT', {
      detail: 'body: give exactly one of org and user',
    })
  }
  return body.org !== undefined ? { org: body.org } : { user: body.user ?? '' }
}

export const sharingRoutes: readonly AdminRoute[] = [
  defineRoute({
    method: 'get',
    path: '/groups',
    operationId: 'listGroups',
    tag: 'sharing groups',
    summary: "Sharing groups the caller's organisation owns or is in (node admins: all)",
    response: '`{ groups: SharingGroup[] }`',
    responseBody: z.strictObject({ groups: z.array(groupViewSchema) }),
    handle: async (r) => ({ groups: await sharingOf(r).listGroups() }),
  }),
  defineRoute({
    method: 'post',
    path: '/groups',
    operationId: 'createGroup',
    tag: 'sharing groups',
    summary: "Create a sharing group owned by the caller's organisation (organisation admins)",
    body: groupCreateSchema,
    status: 201,
    response: 'the group',
    responseBody: groupViewSchema,
    handle: (r) => sharingOf(r).createGroup(r.body),
  }),
  defineRoute({
    method: 'get',
    path: '/groups/{group}',
    operationId: 'getGroup',
    tag: 'sharing groups',
    summary: 'One sharing group (its owner, its members, node admins)',
    response: 'the group',
    responseBody: groupViewSchema,
    handle: (r) => sharingOf(r).getGroup(param(r, 'group')),
  }),
  defineRoute({
    method: 'patch',
    path: '/groups/{group}',
    operationId: 'updateGroup',
    tag: 'sharing groups',
    summary: "Change a group's description (the owner's admins, node admins)",
    body: groupUpdateSchema,
    response: 'the group',
    responseBody: groupViewSchema,
    handle: (r) => sharingOf(r).updateGroup(param(r, 'group'), r.body),
  }),
  defineRoute({
    method: 'delete',
    path: '/groups/{group}',
    operationId: 'deleteGroup',
    tag: 'sharing groups',
    summary: 'Delete a sharing group (the owner’s admins, node admins)',
    description:
      'Versions distributed to the group then reach nobody through it: deleting never widens. 409 while an organisation or collection default distribution names the group.',
    response: 'the deleted group',
    responseBody: groupViewSchema,
    handle: (r) => sharingOf(r).deleteGroup(param(r, 'group')),
  }),
  defineRoute({
    method: 'put',
    path: '/groups/{group}/members/{org}',
    operationId: 'addGroupMember',
    tag: 'sharing groups',
    summary: 'Add an organisation to a group (the owner’s admins, node admins)',
    response: '`{ group, changed }` (changed false when it already was a member)',
    responseBody: memberChangeSchema,
    handle: (r) => sharingOf(r).addGroupMember(param(r, 'group'), param(r, 'org')),
  }),
  defineRoute({
    method: 'delete',
    path: '/groups/{group}/members/{org}',
    operationId: 'removeGroupMember',
    tag: 'sharing groups',
    summary: 'Remove an organisation from a group; it stops seeing at once',
    response: '`{ group, changed }` (changed false when it was not a member)',
    responseBody: memberChangeSchema,
    handle: (r) => sharingOf(r).removeGroupMember(param(r, 'group'), param(r, 'org')),
  }),

  defineRoute({
    method: 'get',
    path: '/organisations/{org}/sharing',
    operationId: 'getOrganisationSharing',
    tag: 'organisations',
    summary: "An organisation's default distribution, anonymity and ceilings (its users)",
    response: 'the sharing settings',
    responseBody: organisationSharingViewSchema,
    handle: (r) => sharingOf(r).getOrganisationSharing(param(r, 'org')),
  }),
  defineRoute({
    method: 'patch',
    path: '/organisations/{org}/sharing',
    operationId: 'updateOrganisationSharing',
    tag: 'organisations',
    summary: "Change an organisation's sharing settings (its admins, node admins)",
    description:
      'Absent fields stay as they are; `null` removes a default distribution or a ceiling.',
    body: organisationSharingSchema,
    response: 'the sharing settings',
    responseBody: organisationSharingViewSchema,
    handle: (r) => sharingOf(r).updateOrganisationSharing(param(r, 'org'), r.body),
  }),

  defineRoute({
    method: 'get',
    path: '/api-roots',
    operationId: 'listApiRoots',
    tag: 'collections',
    summary: 'List TAXII API roots (node admins)',
    response: '`{ apiRoots: ApiRoot[] }`',
    responseBody: z.strictObject({ apiRoots: z.array(apiRootSchema) }),
    handle: async (r) => ({ apiRoots: await adminOf(r).listApiRoots() }),
  }),
  defineRoute({
    method: 'post',
    path: '/api-roots',
    operationId: 'createApiRoot',
    tag: 'collections',
    summary: 'Add a TAXII API root (node admins; "taxii2" and "api" are reserved)',
    body: apiRootCreateSchema,
    status: 201,
    response: 'the API root',
    responseBody: apiRootSchema,
    handle: (r) =>
      adminOf(r).createApiRoot({
        path: r.body.path,
        title: r.body.title ?? r.body.path,
        ...(r.body.description !== undefined ? { description: r.body.description } : {}),
        ...(r.body.maxContentLength !== undefined
          ? { maxContentLength: r.body.maxContentLength }
          : {}),
      }),
  }),
  defineRoute({
    method: 'get',
    path: '/collections',
    operationId: 'listCollections',
    tag: 'collections',
    summary: 'Collections with grants (node admins: all; others: those granted to them)',
    response: '`{ collections: { collection, apiRootPath, grants }[] }`',
    responseBody: z.strictObject({ collections: z.array(collectionListingSchema) }),
    handle: async (r) => ({ collections: await adminOf(r).listCollections() }),
  }),
  defineRoute({
    method: 'post',
    path: '/collections',
    operationId: 'createCollection',
    tag: 'collections',
    summary: 'Add a collection (node admins)',
    body: collectionCreateSchema,
    status: 201,
    response: 'the collection',
    responseBody: collectionSchema,
    handle: async (r) => {
      const sharing = sharingOf(r)
      const distribution =
        r.body.defaultDistribution === undefined
          ? undefined
          : await sharing.resolveDistribution(r.body.defaultDistribution, 'defaultDistribution')
      return adminOf(r).createCollection({
        alias: r.body.alias,
        title: r.body.title ?? r.body.alias,
        description: r.body.description ?? null,
        apiRoot: r.body.apiRoot,
        ...(r.body.mediaTypes !== undefined ? { mediaTypes: r.body.mediaTypes } : {}),
        ...(distribution !== undefined ? { defaultDistribution: distribution } : {}),
        ...(r.body.public !== undefined ? { public: r.body.public } : {}),
      })
    },
  }),
  defineRoute({
    method: 'get',
    path: '/collections/{collection}',
    operationId: 'getCollection',
    tag: 'collections',
    summary: 'One collection by alias or id, with its grants',
    response: '`{ collection, apiRootPath, grants }`',
    responseBody: collectionListingSchema,
    handle: (r) => adminOf(r).getCollection(param(r, 'collection')),
  }),
  defineRoute({
    method: 'patch',
    path: '/collections/{collection}',
    operationId: 'updateCollection',
    tag: 'collections',
    summary: "Change a collection's public flag or default distribution (node admins)",
    body: collectionUpdateSchema,
    response: 'the collection',
    responseBody: collectionSchema,
    handle: (r) => sharingOf(r).updateCollectionSharing(param(r, 'collection'), r.body),
  }),
  defineRoute({
    method: 'put',
    path: '/collections/{collection}/grants',
    operationId: 'setGrant',
    tag: 'collections',
    summary: 'Set the read/write grant of an organisation or a user (node admins)',
    body: grantSchema,
    response: 'the grant',
    responseBody: grantViewSchema,
    handle: (r) =>
      adminOf(r).setGrant({
        collection: param(r, 'collection'),
        ...grantSubject(r.body),
        canRead: r.body.canRead,
        canWrite: r.body.canWrite,
      }),
  }),
  defineRoute({
    method: 'delete',
    path: '/collections/{collection}/grants/{kind}/{subject}',
    operationId: 'removeGrant',
    tag: 'collections',
    summary: 'Remove a grant; kind is org or user (node admins)',
    response: '`{ removed: true }`',
    responseBody: z.strictObject({ removed: z.literal(true) }),
    handle: async (r) => {
      const kind = param(r, 'kind')
      if (kind !== 'org' && kind !== 'user') {
        throw new AppError('ADMIN_INVALID_INPUT', {
          detail: `path parameter kind must be org or user, got "${kind}"`,
        })
      }
      await adminOf(r).removeGrant({
        collection: param(r, 'collection'),
        [kind]: param(r, 'subject'),
      })
      return { removed: true }
    },
  }),

  defineRoute({
    method: 'get',
    path: '/settings',
    operationId: 'getSettings',
    tag: 'node',
    summary: "The node's sharing settings (default TLP, alliance identity)",
    response: 'the settings',
    responseBody: nodeSettingsViewSchema,
    handle: (r) => sharingOf(r).getNodeSettings(),
  }),
  defineRoute({
    method: 'patch',
    path: '/settings',
    operationId: 'updateSettings',
    tag: 'node',
    summary: 'Change the default TLP or the alliance identity (node admins)',
    body: nodeSettingsSchema,
    response: 'the settings',
    responseBody: nodeSettingsViewSchema,
    handle: (r) => sharingOf(r).updateNodeSettings(r.body),
  }),

  defineRoute({
    method: 'get',
    path: '/sharing/explain',
    operationId: 'explainSharing',
    tag: 'sharing',
    summary: 'Whether a viewer sees each version of an object, and which rule decided',
    description:
      'Node admins ask about any object; organisation admins about the versions their organisation published. `viewer` is an organisation or user (name or id, optionally prefixed org:, user:, peer:) or `public`.',
    query: [
      { name: 'object', description: 'the STIX id', required: true },
      {
        name: 'viewer',
        description: 'org:<name|id>, user:<name|id>, peer:<name>, or public',
        required: true,
      },
    ],
    response: '`{ objectId, viewer, versions }`',
    responseBody: explanationSchema,
    handle: (r) =>
      explainVisibility(r.store, r.actor, {
        object: requiredQuery(r, 'object'),
        viewer: requiredQuery(r, 'viewer'),
      }),
  }),
]
