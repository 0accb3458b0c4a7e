// The admin API's OpenAPI document is valid OpenAPI 3.1, lists exactly the routes the server
// has, and tells the truth: every operation is called here with no token, another realm's token,
// a non-admin token, unknown ids and bad JSON, and its real answers are checked against the
// documented status codes and schemas.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createAdminRoutes } from '../../src/admin/admin-routes.ts';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { hashPassword } from '../../src/crypto/password.ts';
import { newId } from '../../src/crypto/random.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { startLogoutProvider } from '../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, type TestProvider } from '../helpers/provider.ts';
import { Receiver } from '../helpers/receiver.ts';

interface Operation {
  operationId: string;
  requestBody?: unknown;
  responses: Record<string, unknown>;
  parameters?: Array<{ name: string; in: string }>;
}
interface Doc {
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
}
interface Op {
  method: string;
  path: string;
  op: Operation;
}

const METHODS = ['get', 'post', 'put', 'delete'];

const UPSTREAM = {
  alias: 'corp',
  providerId: 'oidc',
  config: {
    issuer: 'https://corp.example',
    authorizationUrl: 'https://corp.example/auth',
    tokenUrl: 'https://corp.example/token',
    jwksUrl: 'https://corp.example/jwks',
    clientId: 'sundown',
    clientSecret: 'corp-secret',
  },
};

describe('admin API OpenAPI document', () => {
  let t: TestProvider;
  let r: Receiver;
  let doc: Doc;
  let ops: Op[];
  const tokens = { admin: '', viewer: '', otherRealm: '' };
  const ids = {
    client: '',
    client2: '',
    user: '',
    user2: '',
    session: '',
    delivery: '',
    logout: '',
    group: '',
    group2: '',
    scope: '',
    scope2: '',
    role: '',
    unusedRole: '',
    clientMapper: '',
    scopeMapper: '',
  };
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });

  before(async () => {
    r = await Receiver.start();
    t = await startLogoutProvider(TEST_DATABASES[0]!, { rp1: r.url, rp2: r.url }, { logout: { waitMs: 0 } });
    await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
    const master = await t.store.db
      .selectFrom('realm')
      .select('id')
      .where('name', '=', 'master')
      .executeTakeFirstOrThrow();
    await t.store.db
      .insertInto('app_user')
      .values({
        id: newId(),
        realm_id: master.id,
        username: 'viewer',
        email: null,
        email_verified: 0,
        first_name: null,
        last_name: null,
        enabled: 1,
        password_hash: await hashPassword('viewer-pw'),
        created_at: Date.now(),
        attributes: '{}',
      })
      .execute();
    const masterToken = async (username: string, password: string) =>
      (
        (await (
          await t.fetch(
            `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
            form({ grant_type: 'password', client_id: 'admin-cli', username, password }),
          )
        ).json()) as { access_token: string }
      ).access_token;
    tokens.admin = await masterToken('admin', 'admin-pw');
    tokens.viewer = await masterToken('viewer', 'viewer-pw');
    tokens.otherRealm = (
      (await (
        await t.fetch(
          `${OIDC}/token`,
          form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: 'alice-pw' }),
        )
      ).json()) as {
        access_token: string;
      }
    ).access_token;

    const res = await t.fetch(`${ISSUER_BASE}/admin/openapi.json`);
    assert.equal(res.status, 200);
    doc = (await res.json()) as Doc;
    ajv.addSchema(doc, 'openapi');
    ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({ method: method.toUpperCase(), path, op: item[method]! })),
    );

    const first = async <T>(path: string) => ((await (await call('GET', path)).json()) as T[])[0]!;
    ids.client = (await first<{ id: string }>('/admin/realms/test/clients?clientId=rp1')).id;
    ids.client2 = (await first<{ id: string }>('/admin/realms/test/clients?clientId=rp2')).id;
    ids.user = (await first<{ id: string }>('/admin/realms/test/users?username=alice')).id;
    ids.user2 = (await first<{ id: string }>('/admin/realms/test/users?username=bob')).id;
    // One session that is ended (so a delivery exists) and one that stays live.
    const login = async () => {
      const tokenRes = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
          { authorization: basic('rp1', 'rp1-secret') },
        ),
      );
      return decodeJwt(((await tokenRes.json()) as { id_token: string }).id_token).payload.sid as string;
    };
    const ended = await login();
    assert.equal((await call('DELETE', `/admin/realms/test/sessions/${ended}`)).status, 204);
    await r.waitFor(1);
    ids.delivery = (await first<{ id: string }>(`/admin/realms/test/sundown/deliveries?session=${ended}`)).id;
    ids.logout = (await first<{ id: string }>('/admin/realms/test/sundown/logouts')).id;
    ids.session = await login();
    await provisionAccess();
  });

  /** Roles, groups, scopes and mappers, so that every list the document describes has entries. */
  async function provisionAccess(): Promise<void> {
    const T = '/admin/realms/test';
    const send = async (method: string, path: string, value: unknown, status = 204) => {
      const res = await call(method, `${T}${path}`, { body: JSON.stringify(value) });
      assert.equal(res.status, status, `${method} ${path}: ${await res.clone().text()}`);
      return res.headers.get('location')?.split('/').pop() ?? '';
    };
    const get = async <X>(path: string) => (await (await call('GET', `${T}${path}`)).json()) as X;
    await send('PUT', `/clients/${ids.client}`, { serviceAccountsEnabled: true });
    // Identity brokering (issue 26): an upstream and alice's link to it.
    await send('POST', '/identity-provider/instances', UPSTREAM, 201);
    await send('POST', `/users/${ids.user}/federated-identity/corp`, { userId: 'up-alice', userName: 'alice' });
    for (const name of ['r1', 'unused']) await send('POST', '/roles', { name }, 201);
    for (const name of ['cr', 'cr2', 'cr3']) await send('POST', `/clients/${ids.client}/roles`, { name }, 201);
    const role = async (path: string) => get<{ id: string; name: string }>(path);
    const r1 = await role('/roles/r1');
    ids.role = r1.id;
    ids.unusedRole = (await role('/roles/unused')).id;
    const cr = await role(`/clients/${ids.client}/roles/cr`);
    const cr2 = await role(`/clients/${ids.client}/roles/cr2`);
    const offline = await role('/roles/offline_access');
    await send('POST', '/roles/r1/composites', [offline, cr2]);
    await send('POST', `/clients/${ids.client}/roles/cr/composites`, [r1]);
    await send('POST', `/users/${ids.user}/role-mappings/realm`, [r1]);
    await send('POST', `/users/${ids.user}/role-mappings/clients/${ids.client}`, [cr]);
    ids.group = await send('POST', '/groups', { name: 'g1' }, 201);
    ids.group2 = await send('POST', '/groups', { name: 'g2' }, 201);
    await send('POST', `/groups/${ids.group}/children`, { name: 'g1c' }, 201);
    await send('POST', `/groups/${ids.group}/role-mappings/realm`, [r1]);
    await send('POST', `/groups/${ids.group}/role-mappings/clients/${ids.client}`, [cr]);
    await send('PUT', `/users/${ids.user}/groups/${ids.group}`, {});
    await send(
      'POST',
      `/clients/${ids.client}/protocol-mappers/models`,
      { name: 'm1', protocolMapper: 'oidc-hardcoded-claim-mapper', config: { 'claim.name': 'x', 'claim.value': '1' } },
      201,
    );
    ids.clientMapper = (await get<Array<{ id: string }>>(`/clients/${ids.client}/protocol-mappers/models`))[0]!.id;
    const scopes =
      await get<Array<{ id: string; name: string; protocolMappers: Array<{ id: string }> }>>('/client-scopes');
    const profile = scopes.find((sc) => sc.name === 'profile')!;
    ids.scope = profile.id;
    ids.scope2 = scopes.find((sc) => sc.name === 'email')!.id;
    ids.scopeMapper = profile.protocolMappers[0]!.id;
    await send('POST', `/clients/${ids.client}/scope-mappings/realm`, [r1]);
    await send('POST', `/client-scopes/${ids.scope}/scope-mappings/realm`, [r1]);
  }
  after(async () => {
    await t?.close();
    await r?.close();
  });

  function call(
    method: string,
    path: string,
    init: { token?: string | null; body?: string; type?: string } = {},
  ): Promise<Response> {
    const token = init.token === undefined ? tokens.admin : init.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = init.type ?? 'application/json';
    return t.fetch(`${ISSUER_BASE}${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
    });
  }

  /** The documented path with real ids, or with `unknown` for the named parameters. */
  function fill(path: string, unknown: ReadonlyArray<'realm' | 'id'> = []): string {
    const ofCollection: Record<string, string> = {
      clients: ids.client,
      users: ids.user,
      deliveries: ids.delivery,
      logouts: ids.logout,
      groups: ids.group,
      scopes: ids.scope,
    };
    return path
      .replace('{realm}', unknown.includes('realm') ? 'no-such-realm' : 'test')
      .replace(/(\w+)\/\{id\}/, (_m, coll: string) => {
        if (unknown.includes('id')) return `${coll}/00000000-no-such-id`;
        return `${coll}/${ofCollection[coll]!}`;
      })
      .replace('{session}', unknown.includes('id') ? 'no-such-session' : ids.session)
      .replace('{roleName}', path.includes('/clients/{id}/roles/') ? 'cr' : 'r1')
      .replace('{roleId}', ids.role)
      .replace('{client}', ids.client)
      .replace('{groupId}', ids.group)
      .replace('{clientScopeId}', ids.scope)
      .replace('{alias}', 'corp')
      .replace('{provider}', 'corp')
      .replace('{mapperId}', path.includes('/client-scopes/') ? ids.scopeMapper : ids.clientMapper);
  }

  async function assertError(res: Response, status: number, op: Op, why: string): Promise<void> {
    const body: unknown = await res.json();
    assert.equal(res.status, status, `${op.method} ${op.path} ${why}: ${JSON.stringify(body)}`);
    assert.ok(
      op.op.responses[String(status)],
      `${op.method} ${op.path} answers ${status} (${why}) but does not document it`,
    );
    assert.ok(
      ajv.validate({ $ref: 'openapi#/components/schemas/Error' }, body),
      `${op.method} ${op.path}: ${ajv.errorsText()}`,
    );
  }

  test('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Record<string, unknown>);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1));
    assert.equal(validator.version, '3.1');
    assert.equal(doc.servers[0]!.url, ISSUER_BASE);
  });

  test('documents exactly the routes the server has', () => {
    const served = new Set(
      createAdminRoutes(t.provider.ctx)
        .routes.filter((rt) => rt.method !== 'ALL')
        .map((rt) => `${rt.method} ${`/admin/realms${rt.path}`.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(
      ops.filter((o) => o.path.startsWith('/admin/realms')).map((o) => `${o.method} ${o.path}`),
    );
    assert.deepEqual(
      [...documented].filter((x) => !served.has(x)),
      [],
      'documented but not served',
    );
    assert.deepEqual(
      [...served].filter((x) => !documented.has(x)),
      [],
      'served but not documented',
    );
  });

  test("every operation: no token → 401, another realm's token → 401, a non-admin → 403", async () => {
    for (const op of ops) {
      const path = fill(op.path);
      await assertError(await call(op.method, path, { token: null }), 401, op, 'without a token');
      await assertError(await call(op.method, path, { token: 'not.a.jwt' }), 401, op, 'with a malformed token');
      await assertError(
        await call(op.method, path, { token: tokens.otherRealm }),
        401,
        op,
        "with another realm's token",
      );
      await assertError(await call(op.method, path, { token: tokens.viewer }), 403, op, 'as a non-admin');
    }
  });

  test('every operation on an unknown realm or unknown id → 404', async () => {
    let checked = 0;
    for (const op of ops) {
      const body = op.op.requestBody ? { body: '{}' } : {};
      if (op.path.includes('{realm}')) {
        await assertError(await call(op.method, fill(op.path, ['realm']), body), 404, op, 'for an unknown realm');
        checked++;
      }
      if (/\{id\}|\{session\}/.test(op.path)) {
        await assertError(await call(op.method, fill(op.path, ['id']), body), 404, op, 'for an unknown id');
        checked++;
      }
    }
    assert.ok(checked >= 30, `${checked} cases`);
  });

  test('every operation with a body: bad JSON, a JSON array, or another content type → 400', async () => {
    const withBody = ops.filter((o) => o.op.requestBody);
    assert.ok(withBody.length >= 7);
    for (const op of withBody) {
      const path = fill(op.path);
      await assertError(await call(op.method, path, { body: '{"realm": ' }), 400, op, 'with bad JSON');
      await assertError(await call(op.method, path, { body: '[1]' }), 400, op, 'with a JSON array');
      await assertError(
        await call(op.method, path, { body: 'realm=x', type: 'application/x-www-form-urlencoded' }),
        400,
        op,
        'with a form body',
      );
    }
  });

  test('every operation that documents 409 gives it on a conflict', async () => {
    const conflicts: Record<string, () => Promise<Response>> = {
      createRealm: () => call('POST', '/admin/realms', { body: JSON.stringify({ realm: 'test' }) }),
      updateRealm: () => call('PUT', '/admin/realms/test', { body: JSON.stringify({ realm: 'master' }) }),
      createClient: () => call('POST', '/admin/realms/test/clients', { body: JSON.stringify({ clientId: 'rp1' }) }),
      updateClient: () =>
        call('PUT', `/admin/realms/test/clients/${ids.client2}`, { body: JSON.stringify({ clientId: 'rp1' }) }),
      createUser: () => call('POST', '/admin/realms/test/users', { body: JSON.stringify({ username: 'alice' }) }),
      updateUser: () =>
        call('PUT', `/admin/realms/test/users/${ids.user2}`, { body: JSON.stringify({ username: 'alice' }) }),
      // Delivered already: nothing to retry.
      retryDelivery: () => call('POST', `/admin/realms/test/sundown/deliveries/${ids.delivery}/retry`),
      // Names taken: roles, groups, scopes and mappers are unique in their container.
      createRealmRole: () => call('POST', '/admin/realms/test/roles', { body: JSON.stringify({ name: 'r1' }) }),
      updateRealmRole: () => call('PUT', '/admin/realms/test/roles/unused', { body: JSON.stringify({ name: 'r1' }) }),
      updateByIdRole: () =>
        call('PUT', `/admin/realms/test/roles-by-id/${ids.unusedRole}`, { body: JSON.stringify({ name: 'r1' }) }),
      createClientRole: () =>
        call('POST', `/admin/realms/test/clients/${ids.client}/roles`, { body: JSON.stringify({ name: 'cr' }) }),
      updateClientRole: () =>
        call('PUT', `/admin/realms/test/clients/${ids.client}/roles/cr3`, { body: JSON.stringify({ name: 'cr' }) }),
      createGroup: () => call('POST', '/admin/realms/test/groups', { body: JSON.stringify({ name: 'g1' }) }),
      updateGroup: () =>
        call('PUT', `/admin/realms/test/groups/${ids.group2}`, { body: JSON.stringify({ name: 'g1' }) }),
      addGroupChild: () =>
        call('POST', `/admin/realms/test/groups/${ids.group}/children`, { body: JSON.stringify({ name: 'g1c' }) }),
      createClientScope: () =>
        call('POST', '/admin/realms/test/client-scopes', { body: JSON.stringify({ name: 'profile' }) }),
      updateClientScope: () =>
        call('PUT', `/admin/realms/test/client-scopes/${ids.scope2}`, { body: JSON.stringify({ name: 'profile' }) }),
      createClientProtocolMapper: () =>
        call('POST', `/admin/realms/test/clients/${ids.client}/protocol-mappers/models`, {
          body: JSON.stringify({ name: 'm1', protocolMapper: 'oidc-sub-mapper' }),
        }),
      createClientScopeProtocolMapper: () =>
        call('POST', `/admin/realms/test/client-scopes/${ids.scope}/protocol-mappers/models`, {
          body: JSON.stringify({ name: 'full name', protocolMapper: 'oidc-full-name-mapper' }),
        }),
      createIdentityProvider: () =>
        call('POST', '/admin/realms/test/identity-provider/instances', { body: JSON.stringify(UPSTREAM) }),
      addFederatedIdentity: () =>
        call('POST', `/admin/realms/test/users/${ids.user}/federated-identity/corp`, {
          body: JSON.stringify({ userId: 'up-alice' }),
        }),
      partialImport: () =>
        call('POST', '/admin/realms/test/partialImport', {
          body: JSON.stringify({ ifResourceExists: 'FAIL', users: [{ username: 'alice' }] }),
        }),
    };
    const declaring = ops.filter((o) => o.op.responses['409']).map((o) => o.op.operationId);
    assert.deepEqual(Object.keys(conflicts).sort(), declaring.sort());
    for (const op of ops.filter((o) => o.op.responses['409']))
      await assertError(await conflicts[op.op.operationId]!(), 409, op, 'on a conflict');
  });

  test('every read answers with the documented schema', async () => {
    for (const op of ops.filter((o) => o.method === 'GET')) {
      const res = await call('GET', fill(op.path));
      const body: unknown = await res.json();
      assert.equal(res.status, 200, `${op.path}: ${JSON.stringify(body)}`);
      assert.ok(op.op.responses['200'], op.path);
      const pointer = `openapi#/paths/${op.path.replaceAll('~', '~0').replaceAll('/', '~1')}/get/responses/200/content/application~1json/schema`;
      assert.ok(
        ajv.validate({ $ref: pointer }, body),
        `${op.path}: ${ajv.errorsText()} in ${JSON.stringify(body).slice(0, 400)}`,
      );
      if (Array.isArray(body) && !op.path.endsWith('/events') && !op.path.endsWith('/openapi.json'))
        assert.ok(body.length > 0, `${op.path} should not be empty here`);
    }
  });
});
