// The OpenAPI 3.1 description of the admin API, served at /admin/openapi.json. Paths and
// representations follow Keycloak's admin REST API; Sundown's additions live under /sundown/.
// A test checks this document against the routes the server really has, and live responses
// against the schemas here.
import { EVENT_TYPES } from '../events/event-log.ts';
import { DELIVERY_KINDS, DELIVERY_STATUSES } from '../store/schema.ts';
import { LOGOUT_STARTERS, LOGOUT_TRIGGERS } from '../sessions/session-ender.ts';
import { APP_STATES } from '../logout/status/app-states.ts';
import { LOGOUT_OUTCOMES } from './admin-store.ts';
import { ACCESS_TAGS, accessPaths, accessSchemas } from './openapi-access.ts';
import { BROKERING_TAGS, brokeringPaths, brokeringSchemas } from './openapi-brokering.ts';

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const str: Schema = { type: 'string' };
export const bool: Schema = { type: 'boolean' };
export const int: Schema = { type: 'integer' };
const millis: Schema = { type: 'integer', description: 'Milliseconds since the epoch' };
export const strMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
export const multiMap: Schema = { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } };
const nullable = (s: Schema): Schema => ({ ...s, type: [s.type as string, 'null'] });

const schemas: Record<string, Schema> = {
  Error: {
    type: 'object',
    required: ['error', 'error_description', 'errorMessage'],
    properties: {
      error: {
        ...str,
        description:
          'invalid_token (401), forbidden (403), not_found (404), conflict (409), invalid_request (400, 405, 413)',
      },
      error_description: str,
      errorMessage: {
        ...str,
        description: "Keycloak's field for the same message as error_description, for scripts written against Keycloak",
      },
    },
  },
  RealmSummary: {
    type: 'object',
    required: ['id', 'realm', 'enabled'],
    properties: { id: str, realm: str, displayName: str, enabled: bool },
  },
  RealmRepresentation: {
    type: 'object',
    required: ['realm'],
    properties: {
      id: str,
      realm: { ...str, pattern: '^[A-Za-z0-9._-]{1,64}$' },
      displayName: str,
      enabled: bool,
      accessTokenLifespan: { ...int, description: 'Seconds' },
      ssoSessionIdleTimeout: { ...int, description: 'Seconds' },
      ssoSessionMaxLifespan: { ...int, description: 'Seconds' },
      offlineSessionIdleTimeout: { ...int, description: 'Seconds' },
      notBefore: {
        ...int,
        minimum: 0,
        description:
          'Seconds since the epoch; tokens issued before it are refused (0: none). Logout-all sets it to now; push-revocation sends it to admin URLs',
      },
      attributes: {
        ...strMap,
        description:
          'backchannelLogoutAllowHttp: "true" lets confidential clients use http back-channel URLs off loopback (localhost, 127.0.0.0/8 and [::1] need no opt-in); legacyLogoutRedirectUri: "true" accepts the legacy redirect_uri logout parameter',
      },
      clients: { type: 'array', items: ref('ClientRepresentation'), description: 'Create only; ignored by update' },
      users: { type: 'array', items: ref('UserRepresentation'), description: 'Create only; ignored by update' },
    },
  },
  ClientRepresentation: {
    type: 'object',
    required: ['clientId'],
    properties: {
      id: { ...str, readOnly: true },
      clientId: str,
      name: str,
      secret: { ...str, writeOnly: true, description: 'Read it at …/client-secret' },
      enabled: bool,
      publicClient: bool,
      redirectUris: { type: 'array', items: str },
      webOrigins: { type: 'array', items: str },
      rootUrl: str,
      adminUrl: {
        ...str,
        description:
          'Keycloak admin URL (absolute, or relative to rootUrl): without a back-channel URL, an ended session is sent POST {adminUrl}/k_logout (a signed LogoutAction)',
      },
      notBefore: {
        ...int,
        minimum: 0,
        description: 'Seconds since the epoch; this client’s tokens issued before it are refused (0: none)',
      },
      frontchannelLogout: bool,
      standardFlowEnabled: bool,
      directAccessGrantsEnabled: bool,
      serviceAccountsEnabled: bool,
      fullScopeAllowed: {
        ...bool,
        description:
          'Default true: every role of the user may be in the tokens; false: only the roles of its scope mappings',
      },
      protocolMappers: { type: 'array', items: ref('ProtocolMapperRepresentation') },
      defaultClientScopes: { type: 'array', items: str, writeOnly: true, description: 'Client scope names' },
      optionalClientScopes: { type: 'array', items: str, writeOnly: true, description: 'Client scope names' },
      protocol: {
        type: 'string',
        enum: ['openid-connect', 'saml'],
        description:
          '"saml": a SAML 2.0 service provider; clientId is its entity ID, redirectUris its ACS URLs (docs/saml.md, "SAML clients")',
      },
      attributes: {
        ...strMap,
        description:
          'Logout attributes (Keycloak names): backchannel.logout.url, backchannel.logout.session.required, backchannel.logout.revoke.offline.tokens, frontchannel.logout.url, frontchannel.logout.session.required, post.logout.redirect.uris ("##"-separated, "+" = the redirect URIs), id.token.signed.response.alg, sundown.backchannel.ca.file. SAML clients: saml.client.signature, saml.signing.certificate, saml.server.signature, saml.assertion.signature, saml.signature.algorithm, saml_signature_canonicalization_method, saml_name_id_format, saml_force_name_id_format, saml_assertion_consumer_url_post|_redirect, saml_single_logout_service_url_post|_redirect|_soap, saml.force.post.binding, saml.authnstatement, saml.assertion.lifespan, saml.onetimeuse.condition, saml.encrypt (false only)',
      },
    },
  },
  UserRepresentation: {
    type: 'object',
    required: ['username'],
    properties: {
      id: { ...str, readOnly: true },
      username: str,
      email: str,
      emailVerified: bool,
      firstName: str,
      lastName: str,
      enabled: bool,
      attributes: multiMap,
      realmRoles: {
        type: 'array',
        items: str,
        writeOnly: true,
        description: 'Create only (Keycloak ignores it; Sundown grants them instead of the default role)',
      },
      clientRoles: { type: 'object', additionalProperties: { type: 'array', items: str }, writeOnly: true },
      groups: { type: 'array', items: str, writeOnly: true, description: 'Create only: group paths' },
      requiredActions: {
        type: 'array',
        items: {
          enum: ['UPDATE_PASSWORD', 'CONFIGURE_TOTP', 'UPDATE_PROFILE', 'VERIFY_EMAIL', 'TERMS_AND_CONDITIONS'],
        },
        description: 'Pending required actions (Keycloak); reset-password with temporary: true adds UPDATE_PASSWORD',
      },
      credentials: {
        type: 'array',
        items: ref('CredentialRepresentation'),
        writeOnly: true,
        description: 'Create only; use reset-password afterwards',
      },
    },
  },
  CredentialRepresentation: {
    type: 'object',
    required: ['value'],
    properties: { type: { const: 'password' }, value: str, temporary: bool },
  },
  StoredCredentialRepresentation: {
    type: 'object',
    required: ['id', 'type'],
    description: 'A stored credential without its secret (Keycloak: secretData is never returned)',
    properties: {
      id: str,
      type: { enum: ['password', 'otp'] },
      userLabel: str,
      createdDate: int,
      credentialData: { ...str, description: 'JSON: the algorithm; for otp subType, digits, counter, period' },
    },
  },
  ClientSecret: {
    type: 'object',
    required: ['type', 'value'],
    properties: { type: { const: 'secret' }, value: str },
  },
  UserSessionRepresentation: {
    type: 'object',
    required: ['id', 'username', 'userId', 'start', 'lastAccess', 'clients'],
    properties: {
      id: str,
      username: str,
      userId: str,
      ipAddress: str,
      start: millis,
      lastAccess: millis,
      clients: { ...strMap, description: 'Client id → clientId of every RP in the session' },
    },
  },
  ClientSessionStat: {
    type: 'object',
    required: ['id', 'clientId', 'active', 'offline'],
    properties: {
      id: str,
      clientId: str,
      active: { ...str, description: 'A count, as a string (Keycloak)' },
      offline: str,
    },
  },
  EventRepresentation: {
    type: 'object',
    required: ['time', 'type', 'realmId'],
    properties: {
      time: millis,
      type: { enum: [...EVENT_TYPES] },
      realmId: str,
      clientId: str,
      userId: str,
      sessionId: str,
      ipAddress: str,
      error: str,
      details: { type: 'object' },
    },
  },
  GlobalRequestResult: {
    type: 'object',
    required: ['successRequests', 'failedRequests'],
    properties: {
      successRequests: { type: 'array', items: str },
      failedRequests: { type: 'array', items: str },
      sundown: {
        type: 'object',
        required: ['endedSessions', 'deliveries'],
        properties: {
          logoutId: { ...nullable(str), description: 'The logout record (GET …/sundown/logouts/{id})' },
          endedSessions: int,
          deliveries: { ...int, description: 'Deliveries queued (back-channel and admin URL)' },
          notBefore: { ...int, description: 'The realm’s new not-before time (seconds)' },
        },
      },
    },
  },
  Delivery: {
    type: 'object',
    description: 'One logout token on its way to one client',
    required: [
      'id',
      'kind',
      'clientId',
      'sessionId',
      'userId',
      'username',
      'status',
      'attempts',
      'createdAt',
      'lastAttemptAt',
      'nextAttemptAt',
      'lastStatus',
      'lastError',
      'finishedAt',
      'logoutId',
      'receipt',
    ],
    properties: {
      id: str,
      kind: {
        enum: [...DELIVERY_KINDS],
        description:
          'backchannel: an OIDC logout token; k_logout / k_push_not_before: Keycloak’s admin-URL LogoutAction / PushNotBeforeAction; saml_soap: a signed SAML LogoutRequest by the SOAP binding; frontchannel: an OIDC front-channel logout iframe in the user’s browser',
      },
      clientId: str,
      sessionId: { ...nullable(str), description: 'Null for realm-wide admin-URL actions' },
      userId: { ...nullable(str), description: 'Null for realm-wide admin-URL actions' },
      username: { ...nullable(str), description: 'Null once the user is deleted' },
      status: {
        enum: [...DELIVERY_STATUSES],
        description:
          "pending → delivered | retrying → … | rejected (4xx) | failed (gave up) | skipped (never sent; lastError says why) | unconfirmed (an OIDC front-channel iframe the browser loaded; the channel has no answer) | held (a Shared Signals event waiting for its receiver's poll or its paused stream)",
      },
      attempts: int,
      createdAt: millis,
      lastAttemptAt: nullable(millis),
      nextAttemptAt: { ...nullable(millis), description: 'When the next attempt is due (pending and retrying only)' },
      lastStatus: { ...nullable(int), description: 'HTTP status of the last answer' },
      lastError: {
        ...nullable(str),
        description: 'The named cause: connection_refused, timeout, certificate_*, HTTP 503 …',
      },
      finishedAt: nullable(millis),
      logoutId: {
        ...nullable(str),
        description: 'The logout this delivery tells of (GET …/sundown/logouts/{id}); null for push revocation',
      },
      receipt: {
        type: ['object', 'null'],
        description:
          'What the receiver answered it did: an @sundown/rp receipt (`{"logged_out":true,"sessions_ended":n}` in the 200 body, BCL §2.8); null when the answer carried none',
        required: ['sessionsEnded'],
        properties: {
          sessionsEnded: { ...nullable(int), description: 'How many of the app’s sessions ended, when it said' },
        },
      },
    },
  },
  DeliveryStats: {
    type: 'object',
    required: [...DELIVERY_STATUSES],
    properties: Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, int])),
    additionalProperties: false,
  },
  EffectiveRole: {
    type: 'object',
    description: 'A role the user holds, directly, through a group or a parent group, or in a held composite',
    required: ['id', 'name', 'client', 'description', 'composite', 'direct', 'sources'],
    properties: {
      id: str,
      name: str,
      client: { ...nullable(str), description: 'The clientId of a client role; null for a realm role' },
      description: nullable(str),
      composite: bool,
      direct: { ...bool, description: 'Mapped to the user itself' },
      sources: {
        type: 'array',
        description: 'Every way the role is held; group and composite both null: mapped directly',
        items: {
          type: 'object',
          required: ['group', 'composite'],
          properties: {
            group: { ...nullable(str), description: 'Path of the group whose mapping gives it' },
            composite: {
              type: ['object', 'null'],
              description: 'The held composite role that contains it',
              required: ['name', 'client'],
              properties: { name: str, client: nullable(str) },
            },
          },
        },
      },
    },
  },
  LogoutSummary: {
    type: 'object',
    description: 'One end of sessions, whatever ended them',
    required: [
      'id',
      'trigger',
      'startedBy',
      'actor',
      'ipAddress',
      'userId',
      'username',
      'sessions',
      'createdAt',
      'deliveries',
      'outcome',
    ],
    properties: {
      id: str,
      trigger: { enum: [...LOGOUT_TRIGGERS] },
      startedBy: { enum: [...LOGOUT_STARTERS] },
      actor: { ...nullable(str), description: 'The administrator’s username, the requesting client’s client_id, …' },
      ipAddress: nullable(str),
      userId: { ...nullable(str), description: 'The user whose sessions ended; null when several users’' },
      username: nullable(str),
      sessions: { ...int, description: 'Sessions ended' },
      createdAt: millis,
      deliveries: { ...ref('DeliveryStats'), description: 'Its deliveries (every channel) by status' },
      outcome: {
        enum: [...LOGOUT_OUTCOMES],
        description:
          'in_progress: a message is pending or retried, or a SAML answer is awaited; incomplete: one failed, was rejected, skipped or refused; complete: every application was told',
      },
    },
  },
  AppStatus: {
    type: 'object',
    required: ['id', 'clientId', 'name', 'state', 'label', 'why', 'sessionsEnded'],
    properties: {
      id: str,
      clientId: str,
      name: { ...str, description: 'The client’s display name' },
      state: {
        enum: [...APP_STATES],
        description:
          'signed_out: confirmed (a delivered message or a SAML Success); told_by_browser: an OIDC front-channel iframe, which has no answer',
      },
      label: { ...str, description: 'The state in plain words' },
      why: { ...nullable(str), description: 'Why it is not signed out (yet), in plain words' },
      sessionsEnded: { ...nullable(int), description: 'From the app’s receipt, when it gave one' },
    },
  },
  LogoutTrace: {
    type: 'object',
    required: ['logout', 'sessions', 'status', 'timeline'],
    properties: {
      logout: {
        type: 'object',
        required: [
          'id',
          'realm',
          'trigger',
          'startedBy',
          'actor',
          'ipAddress',
          'userId',
          'username',
          'sessionCount',
          'createdAt',
        ],
        properties: {
          id: str,
          realm: str,
          trigger: { enum: [...LOGOUT_TRIGGERS] },
          startedBy: { enum: [...LOGOUT_STARTERS] },
          actor: nullable(str),
          ipAddress: nullable(str),
          userId: nullable(str),
          username: nullable(str),
          sessionCount: int,
          createdAt: millis,
        },
      },
      sessions: {
        type: 'array',
        description: 'The sessions it ended (at most 1000 listed)',
        items: {
          type: 'object',
          required: ['id', 'userId', 'username'],
          properties: { id: str, userId: str, username: nullable(str) },
        },
      },
      status: {
        type: 'object',
        required: ['logoutId', 'apps', 'settled', 'done', 'outcome'],
        properties: {
          logoutId: str,
          apps: { type: 'array', items: ref('AppStatus') },
          settled: { ...bool, description: 'Every first attempt made, every browser answer in or overdue' },
          done: { ...bool, description: 'Nothing pending or retried any more' },
          outcome: { ...str, description: 'E.g. "Signed out of 3 of 4 applications; 1 is still being retried."' },
        },
      },
      timeline: {
        type: 'array',
        description:
          'Oldest first: the start, each message queued, every attempt with its answer, the browser’s answers',
        items: {
          type: 'object',
          required: ['at', 'clientId', 'channel', 'deliveryId', 'what'],
          properties: {
            at: millis,
            clientId: nullable(str),
            channel: nullable(str),
            deliveryId: nullable(str),
            what: str,
          },
        },
      },
    },
  },
  Check: {
    type: 'object',
    required: ['ok', 'detail'],
    properties: {
      ok: bool,
      detail: str,
      cause: {
        ...str,
        description: 'The named cause of a failure: connection_refused, dns, timeout, certificate_self_signed, …',
      },
    },
  },
  DoctorResult: {
    type: 'object',
    required: ['clientId', 'kind', 'url', 'resolve', 'connect', 'tls', 'logoutToken', 'ok'],
    properties: {
      clientId: str,
      kind: {
        enum: ['backchannel', 'k_logout'],
        description: 'The back-channel URL, or (without one) the admin URL’s k_logout',
      },
      url: str,
      resolve: ref('Check'),
      connect: ref('Check'),
      tls: { oneOf: [ref('Check'), { type: 'null' }] },
      logoutToken: {
        ...ref('Check'),
        description: 'A logout token (k_logout: a LogoutAction) for an unknown session; a receiver should answer 200',
      },
      ok: bool,
    },
  },
};

export const param = (name: string, where: 'path' | 'query', schema: Schema, description?: string): Schema => ({
  name,
  in: where,
  required: where === 'path',
  schema,
  ...(description ? { description } : {}),
});
export const realmParam = param('realm', 'path', str, 'Realm name');
export const idParam = (what: string) => param('id', 'path', str, `${what} id`);
export const paging = [
  param('first', 'query', { ...int, minimum: 0 }, 'Offset'),
  param('max', 'query', { ...int, minimum: 1, maximum: 1000 }, 'Page size (default 100)'),
];

const err = (description: string): Schema => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
});
export const json = (description: string, schema: Schema): Schema => ({
  description,
  content: { 'application/json': { schema } },
});
export const noContent = { description: 'Done' };
export const created = {
  description: 'Created',
  headers: { Location: { schema: str, description: 'URL of the new resource' } },
};
export const body = (schema: Schema): Schema => ({ required: true, content: { 'application/json': { schema } } });
export const list = (name: string): Schema => ({ type: 'array', items: ref(name) });

export interface Op {
  tag: string;
  summary: string;
  params?: Schema[];
  body?: Schema;
  ok: Record<string, Schema>;
  /** Errors besides 401/403 that every admin call can give. */
  errors?: Array<keyof typeof ERROR_TEXT>;
}

const ERROR_TEXT = {
  400: 'Invalid input; error_description names the field',
  404: 'Realm or resource not found',
  409: 'Conflicts with an existing resource or its state',
  500: 'The mail could not be sent',
};

export function operation(id: string, op: Op): Schema {
  const responses: Record<string, Schema> = { ...op.ok };
  for (const code of op.errors ?? []) responses[code] = err(ERROR_TEXT[code]);
  responses['401'] = err('No bearer token, or not a valid master-realm access token');
  responses['403'] = err('The token has no admin role');
  return {
    operationId: id,
    tags: [op.tag],
    summary: op.summary,
    ...(op.params ? { parameters: op.params } : {}),
    ...(op.body ? { requestBody: op.body } : {}),
    responses,
  };
}

function paths(): Record<string, Record<string, Schema>> {
  const R = '/admin/realms/{realm}';
  return {
    '/admin/realms': {
      get: operation('listRealms', {
        tag: 'Realms',
        summary: 'List realms',
        ok: { 200: json('Realms', list('RealmSummary')) },
      }),
      post: operation('createRealm', {
        tag: 'Realms',
        summary: 'Create a realm from the same JSON as a realm import',
        body: body(ref('RealmRepresentation')),
        ok: { 201: created },
        errors: [400, 409],
      }),
    },
    [R]: {
      get: operation('getRealm', {
        tag: 'Realms',
        summary: 'Get a realm',
        params: [realmParam],
        ok: { 200: json('The realm', ref('RealmRepresentation')) },
        errors: [404],
      }),
      put: operation('updateRealm', {
        tag: 'Realms',
        summary:
          'Update the realm’s settings (fields not sent keep their values; clients and users are ignored; renaming is allowed)',
        params: [realmParam],
        body: body(ref('RealmRepresentation')),
        ok: { 204: noContent },
        errors: [400, 404, 409],
      }),
      delete: operation('deleteRealm', {
        tag: 'Realms',
        summary: 'Delete a realm; every session is logged out first, so every client is told',
        params: [realmParam],
        ok: { 204: noContent },
        errors: [400, 404],
      }),
    },
    [`${R}/clients`]: {
      get: operation('listClients', {
        tag: 'Clients',
        summary: 'List clients',
        params: [realmParam, param('clientId', 'query', str, 'Exact clientId'), ...paging],
        ok: { 200: json('Clients', list('ClientRepresentation')) },
        errors: [404],
      }),
      post: operation('createClient', {
        tag: 'Clients',
        summary: 'Create a client',
        params: [realmParam],
        body: body(ref('ClientRepresentation')),
        ok: { 201: created },
        errors: [400, 404, 409],
      }),
    },
    [`${R}/clients/{id}`]: {
      get: operation('getClient', {
        tag: 'Clients',
        summary: 'Get a client',
        params: [realmParam, idParam('Client')],
        ok: { 200: json('The client', ref('ClientRepresentation')) },
        errors: [404],
      }),
      put: operation('updateClient', {
        tag: 'Clients',
        summary: 'Update a client (fields not sent keep their values)',
        params: [realmParam, idParam('Client')],
        body: body(ref('ClientRepresentation')),
        ok: { 204: noContent },
        errors: [400, 404, 409],
      }),
      delete: operation('deleteClient', {
        tag: 'Clients',
        summary: 'Delete a client',
        params: [realmParam, idParam('Client')],
        ok: { 204: noContent },
        errors: [404],
      }),
    },
    [`${R}/clients/{id}/client-secret`]: {
      get: operation('getClientSecret', {
        tag: 'Clients',
        summary: 'Read a confidential client’s secret',
        params: [realmParam, idParam('Client')],
        ok: { 200: json('The secret', ref('ClientSecret')) },
        errors: [400, 404],
      }),
      post: operation('regenerateClientSecret', {
        tag: 'Clients',
        summary: 'Generate a new secret (the old one stops working)',
        params: [realmParam, idParam('Client')],
        ok: { 200: json('The new secret', ref('ClientSecret')) },
        errors: [400, 404],
      }),
    },
    [`${R}/clients/{id}/user-sessions`]: {
      get: operation('listClientUserSessions', {
        tag: 'Sessions',
        summary: 'Live sessions that include this client',
        params: [realmParam, idParam('Client'), ...paging],
        ok: { 200: json('Sessions', list('UserSessionRepresentation')) },
        errors: [404],
      }),
    },
    [`${R}/client-session-stats`]: {
      get: operation('clientSessionStats', {
        tag: 'Sessions',
        summary: 'Session counts per client',
        params: [realmParam],
        ok: { 200: json('Counts', list('ClientSessionStat')) },
        errors: [404],
      }),
    },
    [`${R}/users`]: {
      get: operation('listUsers', {
        tag: 'Users',
        summary: 'List or search users',
        params: [
          realmParam,
          param('search', 'query', str, 'Part of the username or email, case-insensitive'),
          param('username', 'query', str, 'Exact username'),
          ...paging,
        ],
        ok: { 200: json('Users', list('UserRepresentation')) },
        errors: [404],
      }),
      post: operation('createUser', {
        tag: 'Users',
        summary: 'Create a user',
        params: [realmParam],
        body: body(ref('UserRepresentation')),
        ok: { 201: created },
        errors: [400, 404, 409],
      }),
    },
    [`${R}/users/{id}`]: {
      get: operation('getUser', {
        tag: 'Users',
        summary: 'Get a user',
        params: [realmParam, idParam('User')],
        ok: { 200: json('The user', ref('UserRepresentation')) },
        errors: [404],
      }),
      put: operation('updateUser', {
        tag: 'Users',
        summary: 'Update a user (credentials are ignored; use reset-password)',
        params: [realmParam, idParam('User')],
        body: body(ref('UserRepresentation')),
        ok: { 204: noContent },
        errors: [400, 404, 409],
      }),
      delete: operation('deleteUser', {
        tag: 'Users',
        summary: 'Delete a user; their sessions are logged out first',
        params: [realmParam, idParam('User')],
        ok: { 204: noContent },
        errors: [404],
      }),
    },
    [`${R}/users/{id}/reset-password`]: {
      put: operation('resetPassword', {
        tag: 'Users',
        summary: 'Set a new password',
        params: [realmParam, idParam('User')],
        body: body(ref('CredentialRepresentation')),
        ok: { 204: noContent },
        errors: [400, 404],
      }),
    },
    [`${R}/users/{id}/credentials`]: {
      get: operation('listUserCredentials', {
        tag: 'Users',
        summary: 'A user’s credentials (password, one-time-code devices), without secrets',
        params: [realmParam, idParam('User')],
        ok: { 200: json('Credentials', list('StoredCredentialRepresentation')) },
        errors: [404],
      }),
    },
    [`${R}/users/{id}/credentials/{credentialId}`]: {
      delete: operation('deleteUserCredential', {
        tag: 'Users',
        summary: 'Remove a credential (a one-time-code device, or the password)',
        params: [realmParam, idParam('User'), param('credentialId', 'path', str, 'Credential id')],
        ok: { 204: noContent },
        errors: [404],
      }),
    },
    [`${R}/users/{id}/execute-actions-email`]: {
      put: operation('executeActionsEmail', {
        tag: 'Users',
        summary: 'Mail the user a single-use link that runs the given required actions',
        params: [
          realmParam,
          idParam('User'),
          param(
            'lifespan',
            'query',
            int,
            'Seconds the link is valid (default: the realm’s actionTokenGeneratedByAdminLifespan)',
          ),
          param('client_id', 'query', str, 'Client the user returns to'),
          param('redirect_uri', 'query', str, 'Where the user goes when done (registered for client_id)'),
        ],
        body: body({ type: 'array', items: str }),
        ok: { 204: noContent },
        errors: [400, 404, 500],
      }),
    },
    [`${R}/users/{id}/sessions`]: {
      get: operation('listUserSessions', {
        tag: 'Sessions',
        summary: 'A user’s live sessions, each with its clients',
        params: [realmParam, idParam('User'), ...paging],
        ok: { 200: json('Sessions', list('UserSessionRepresentation')) },
        errors: [404],
      }),
    },
    [`${R}/users/{id}/logout`]: {
      post: operation('logoutUser', {
        tag: 'Logout',
        summary: 'End all of a user’s sessions; back-channel logout tokens go to every client in them',
        params: [realmParam, idParam('User')],
        ok: { 204: noContent },
        errors: [404],
      }),
    },
    [`${R}/sessions/{session}`]: {
      delete: operation('deleteSession', {
        tag: 'Logout',
        summary: 'End one SSO session; its clients are sent logout tokens',
        params: [realmParam, param('session', 'path', str, 'SSO session id (the sid claim)')],
        ok: { 204: noContent },
        errors: [404],
      }),
    },
    [`${R}/logout-all`]: {
      post: operation('logoutAll', {
        tag: 'Logout',
        summary:
          'End every session of the realm; its not-before time becomes now and admin URLs get a LogoutAction with it',
        params: [realmParam],
        ok: {
          200: json('The admin URLs that accepted it, and the others (still retried)', ref('GlobalRequestResult')),
        },
        errors: [404],
      }),
    },
    [`${R}/push-revocation`]: {
      post: operation('pushRevocation', {
        tag: 'Logout',
        summary: 'Send the realm’s not-before time to every client’s admin URL (PUSH_NOT_BEFORE to k_push_not_before)',
        params: [realmParam],
        ok: {
          200: json('The admin URLs that accepted it, and the others (still retried)', ref('GlobalRequestResult')),
        },
        errors: [404],
      }),
    },
    [`${R}/events`]: {
      get: operation('listEvents', {
        tag: 'Events',
        summary: 'Query events, newest first',
        params: [
          realmParam,
          {
            ...param('type', 'query', { type: 'array', items: { enum: [...EVENT_TYPES] } }, 'Repeatable'),
            explode: true,
          },
          param('client', 'query', str, 'clientId'),
          param('user', 'query', str, 'User id'),
          param('dateFrom', 'query', { ...str, format: 'date' }),
          param('dateTo', 'query', { ...str, format: 'date' }),
          ...paging,
        ],
        ok: { 200: json('Events', list('EventRepresentation')) },
        errors: [400, 404],
      }),
    },
    [`${R}/sundown/sessions`]: {
      get: operation('listLiveSessions', {
        tag: 'Sundown',
        summary: 'Every live SSO session of the realm with the RPs in it, newest first',
        params: [realmParam, param('user', 'query', str, 'User id'), ...paging],
        ok: { 200: json('Sessions', list('UserSessionRepresentation')) },
        errors: [404],
      }),
    },
    [`${R}/sundown/deliveries`]: {
      get: operation('listDeliveries', {
        tag: 'Sundown',
        summary: 'Back-channel logout deliveries, newest first',
        params: [
          realmParam,
          param('status', 'query', { enum: [...DELIVERY_STATUSES] }),
          param('clientId', 'query', str),
          param('session', 'query', str, 'SSO session id'),
          ...paging,
        ],
        ok: { 200: json('Deliveries', list('Delivery')) },
        errors: [400, 404],
      }),
    },
    [`${R}/sundown/delivery-stats`]: {
      get: operation('deliveryStats', {
        tag: 'Sundown',
        summary: 'How many deliveries are in each status',
        params: [realmParam, param('clientId', 'query', str)],
        ok: { 200: json('Counts', ref('DeliveryStats')) },
        errors: [404],
      }),
    },
    [`${R}/sundown/deliveries/{id}/retry`]: {
      post: operation('retryDelivery', {
        tag: 'Sundown',
        summary: 'Send a failed or rejected delivery again now (with a fresh logout token)',
        params: [realmParam, idParam('Delivery')],
        ok: { 204: noContent },
        errors: [404, 409],
      }),
    },
    [`${R}/sundown/users/{id}/effective-roles`]: {
      get: operation('listEffectiveRoles', {
        tag: 'Sundown',
        summary:
          "A user's effective roles (realm and client roles, composites expanded, through groups and their parents), each with every way it is held",
        params: [realmParam, idParam('User')],
        ok: { 200: json('Effective roles', list('EffectiveRole')) },
        errors: [404],
      }),
    },
    [`${R}/sundown/logouts`]: {
      get: operation('listLogouts', {
        tag: 'Sundown',
        summary:
          'Every end of sessions (logout), newest first, with its trigger, who started it and where its messages stand; CSV with format=csv or Accept: text/csv',
        params: [
          realmParam,
          param('user', 'query', str, 'User id: logouts that ended one of their sessions'),
          param('client', 'query', str, 'clientId: logouts that told this client'),
          param('trigger', 'query', { enum: [...LOGOUT_TRIGGERS] }),
          param('outcome', 'query', { enum: [...LOGOUT_OUTCOMES] }),
          param('from', 'query', str, 'A date (2026-01-31), a date-time, or epoch milliseconds'),
          param('to', 'query', str, 'A date (the whole day), a date-time, or epoch milliseconds'),
          param('format', 'query', { enum: ['json', 'csv'] }),
          ...paging,
        ],
        ok: {
          200: {
            description: 'Logouts',
            content: {
              'application/json': { schema: list('LogoutSummary') },
              'text/csv': { schema: { ...str, description: 'One row per logout, with a header row' } },
            },
          },
        },
        errors: [400, 404],
      }),
    },
    [`${R}/sundown/logouts/{id}`]: {
      get: operation('getLogout', {
        tag: 'Sundown',
        summary: 'One logout’s trace: its sessions, each application’s outcome, and its timeline across channels',
        params: [realmParam, idParam('Logout')],
        ok: { 200: json('The trace', ref('LogoutTrace')) },
        errors: [404],
      }),
    },
    [`${R}/sundown/clients/{id}/doctor`]: {
      get: operation('doctorClient', {
        tag: 'Sundown',
        summary:
          'Check a client’s back-channel URL (or, without one, its admin URL’s k_logout): DNS, connect, TLS, and its answer to a logout token for an unknown session',
        params: [realmParam, idParam('Client')],
        ok: { 200: json('The checks', ref('DoctorResult')) },
        errors: [404],
      }),
    },
  };
}

export function adminOpenApi(serverUrl: string): Schema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sundown admin API',
      version: '1',
      description:
        'A subset of Keycloak’s admin REST API with the same paths and JSON representations, plus Sundown’s own views of sessions and back-channel logout deliveries under /sundown/. Authenticate with an access token of the master realm’s admin-cli client (password grant) for a user with the admin role.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    tags: [
      'Realms',
      'Clients',
      'Users',
      ...ACCESS_TAGS,
      ...BROKERING_TAGS,
      'Sessions',
      'Logout',
      'Events',
      'Sundown',
    ].map((name) => ({
      name,
    })),
    paths: { ...paths(), ...accessPaths(), ...brokeringPaths() },
    components: {
      schemas: { ...schemas, ...accessSchemas(), ...brokeringSchemas() },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'POST {server}/realms/master/protocol/openid-connect/token with grant_type=password&client_id=admin-cli',
        },
      },
    },
  };
}
