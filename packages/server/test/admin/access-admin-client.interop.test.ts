// Keycloak's authorization model through @keycloak/keycloak-admin-client, unchanged, as
// provisioning scripts call it (issue 23): roles and composites, client roles, role mappings of
// users and groups, groups with children and members, client scopes and protocol mappers, the
// scope links of clients and of the realm, scope mappings, the service-account user, the user
// count, the realm's keys and partial import — then a token shows what was provisioned.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { pino } from 'pino';
import { parseStartConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { ACCESS_REALM_JSON } from '../helpers/access-realm.ts';
import { basic, decodeJwt, form } from '../helpers/oauth.ts';

const realm = 'shop';

describe('keycloak-admin-client: roles, groups, client scopes, protocol mappers', () => {
  let dir: string;
  let server: RunningServer;
  let kc: KcAdminClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-kc-access-'));
    const realmFile = join(dir, 'realm.json');
    writeFileSync(realmFile, JSON.stringify(ACCESS_REALM_JSON));
    const config = parseStartConfig(
      ['--port', '0', '--host', '127.0.0.1', '--data-dir', join(dir, 'data'), '--import-realm', realmFile],
      { SUNDOWN_ADMIN_USERNAME: 'admin', SUNDOWN_ADMIN_PASSWORD: 'admin-pw' },
    );
    server = await startServer(config, pino({ level: 'silent' }));
    kc = new KcAdminClient({ baseUrl: server.url, realmName: 'master' });
    await kc.auth({ grantType: 'password', clientId: 'admin-cli', username: 'admin', password: 'admin-pw' });
    kc.setConfig({ realmName: realm });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const token = async (clientId: string, secret: string, username: string, scope = 'openid') => {
    const res = await fetch(
      `${server.url}/realms/${realm}/protocol/openid-connect/token`,
      form(
        { grant_type: 'password', username, password: `${username}-pw`, scope },
        { authorization: basic(clientId, secret) },
      ),
    );
    const body = (await res.json()) as { access_token: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    return decodeJwt(body.access_token).payload;
  };

  test('realm roles: create, read, update, composites, users in role; a duplicate is 409 with errorMessage', async () => {
    assert.deepEqual(await kc.roles.create({ name: 'editor', description: 'Edits', attributes: { tier: ['2'] } }), {
      roleName: 'editor',
    });
    await kc.roles.create({ name: 'viewer' });
    const editor = (await kc.roles.findOneByName({ name: 'editor' }))!;
    assert.equal(editor.description, 'Edits');
    assert.deepEqual(editor.attributes, { tier: ['2'] });
    assert.equal(editor.clientRole, false);
    await kc.roles.updateByName({ name: 'editor' }, { name: 'editor', description: 'Edits content' });
    assert.equal((await kc.roles.findOneById({ id: editor.id! }))!.description, 'Edits content');
    const viewer = (await kc.roles.findOneByName({ name: 'viewer' }))!;
    await kc.roles.createComposite({ roleId: editor.id! }, [viewer]);
    assert.deepEqual(
      (await kc.roles.getCompositeRoles({ id: editor.id! })).map((r) => r.name),
      ['viewer'],
    );
    assert.deepEqual(
      (await kc.roles.getCompositeRolesForRealm({ id: editor.id! })).map((r) => r.name),
      ['viewer'],
    );
    assert.ok((await kc.roles.find()).some((r) => r.name === 'editor' && r.composite === true));
    const users = await kc.roles.findUsersWithRole({ name: 'user' });
    assert.deepEqual(
      users.map((u) => u.username),
      ['alice'],
    );
    await assert.rejects(
      kc.roles.create({ name: 'editor' }),
      (err: Error & { response?: { status: number }; responseData?: { errorMessage?: string } }) => {
        assert.equal(err.response?.status, 409);
        assert.match(err.responseData?.errorMessage ?? '', /already exists/);
        return true;
      },
    );
  });

  test('a client created with mappers keeps them; protocol mappers, client roles and scope links through the client', async () => {
    const { id } = await kc.clients.create({
      clientId: 'portal',
      secret: 'portal-secret',
      directAccessGrantsEnabled: true,
      redirectUris: ['https://portal.example/cb'],
      protocolMappers: [
        {
          name: 'orders audience',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-audience-mapper',
          config: { 'included.custom.audience': 'https://orders.example', 'access.token.claim': 'true' },
        },
      ],
    });
    assert.deepEqual(
      (await kc.clients.listProtocolMappers({ id })).map((m) => m.name),
      ['orders audience'],
    );
    await kc.clients.addProtocolMapper(
      { id },
      {
        name: 'plan',
        protocol: 'openid-connect',
        protocolMapper: 'oidc-hardcoded-claim-mapper',
        config: { 'claim.name': 'plan', 'claim.value': 'pro', 'access.token.claim': 'true' },
      },
    );
    await kc.clients.addMultipleProtocolMappers({ id }, [
      {
        name: 'nick',
        protocol: 'openid-connect',
        protocolMapper: 'oidc-usermodel-attribute-mapper',
        config: { 'user.attribute': 'nickname', 'claim.name': 'nick', 'access.token.claim': 'true' },
      },
    ]);
    const mappers = await kc.clients.listProtocolMappers({ id });
    assert.equal(mappers.length, 3);
    const plan = mappers.find((m) => m.name === 'plan')!;
    await kc.clients.updateProtocolMapper(
      { id, mapperId: plan.id! },
      { ...plan, config: { ...plan.config, 'claim.value': 'enterprise' } },
    );
    assert.equal(
      (await kc.clients.findProtocolMapperById({ id, mapperId: plan.id! }))!.config!['claim.value'],
      'enterprise',
    );
    await kc.clients.delProtocolMapper({ id, mapperId: mappers.find((m) => m.name === 'nick')!.id! });

    await kc.clients.createRole({ id, name: 'manage', description: 'Manages the portal' });
    assert.deepEqual(
      (await kc.clients.listRoles({ id })).map((r) => r.name),
      ['manage'],
    );
    assert.equal((await kc.clients.findRole({ id, roleName: 'manage' }))!.clientRole, true);

    // The realm's defaults were linked; microprofile-jwt made default.
    assert.ok((await kc.clients.listDefaultClientScopes({ id })).some((s) => s.name === 'roles'));
    const mp = (await kc.clientScopes.find()).find((s) => s.name === 'microprofile-jwt')!;
    await kc.clients.delOptionalClientScope({ id, clientScopeId: mp.id! });
    await kc.clients.addDefaultClientScope({ id, clientScopeId: mp.id! });
    assert.ok((await kc.clients.listDefaultClientScopes({ id })).some((s) => s.name === 'microprofile-jwt'));
    assert.ok(!(await kc.clients.listOptionalClientScopes({ id })).some((s) => s.name === 'microprofile-jwt'));
  });

  test('users: attributes, realm and client role mappings (direct, available, effective), groups; users/count', async () => {
    const { id } = await kc.users.create({
      username: 'carl',
      email: 'carl@shop.example',
      enabled: true,
      attributes: { nickname: ['cj'] },
      credentials: [{ type: 'password', value: 'carl-pw' }],
    });
    assert.deepEqual((await kc.users.findOne({ id }))!.attributes, { nickname: ['cj'] });
    const editor = (await kc.roles.findOneByName({ name: 'editor' }))!;
    await kc.users.addRealmRoleMappings({ id, roles: [{ id: editor.id!, name: 'editor' }] });
    const portal = (await kc.clients.find({ clientId: 'portal' }))[0]!;
    const manage = (await kc.clients.findRole({ id: portal.id!, roleName: 'manage' }))!;
    await kc.users.addClientRoleMappings({
      id,
      clientUniqueId: portal.id!,
      roles: [{ id: manage.id!, name: 'manage' }],
    });
    const mappings = await kc.users.listRoleMappings({ id });
    assert.deepEqual(mappings.realmMappings?.map((r) => r.name).sort(), ['default-roles-shop', 'editor']);
    assert.deepEqual(
      (mappings.clientMappings?.portal as { mappings: Array<{ name: string }> } | undefined)?.mappings.map(
        (r) => r.name,
      ),
      ['manage'],
    );
    const effective = (await kc.users.listCompositeRealmRoleMappings({ id })).map((r) => r.name);
    assert.ok(effective.includes('viewer') && effective.includes('offline_access'), effective.join());
    const available = (await kc.users.listAvailableRealmRoleMappings({ id })).map((r) => r.name);
    assert.ok(available.includes('admin') && !available.includes('viewer'), available.join());
    assert.deepEqual(
      (await kc.users.listClientRoleMappings({ id, clientUniqueId: portal.id! })).map((r) => r.name),
      ['manage'],
    );
    assert.deepEqual(await kc.users.listAvailableClientRoleMappings({ id, clientUniqueId: portal.id! }), []);

    // Service accounts are not users in the list or the count (as in Keycloak).
    const before = await kc.users.count();
    assert.equal(typeof before, 'number');
    assert.ok(!(await kc.users.find({ max: 1000 })).some((u) => u.username?.startsWith('service-account-')));
    await kc.users.create({ username: 'dora', enabled: true });
    assert.equal(await kc.users.count(), before + 1);

    const at = await token('portal', 'portal-secret', 'carl');
    assert.deepEqual((at.realm_access as { roles: string[] }).roles, [
      'default-roles-shop',
      'editor',
      'offline_access',
      'uma_authorization',
      'viewer',
    ]);
    assert.deepEqual(at.resource_access, { portal: { roles: ['manage'] } });
    assert.deepEqual(at.aud, ['portal', 'https://orders.example']);
    assert.equal(at.plan, 'enterprise');
    assert.equal(at.nick, undefined, 'its mapper was deleted');
    assert.equal(at.upn, 'carl', 'microprofile-jwt is a default scope of portal now');
    await kc.users.delRealmRoleMappings({ id, roles: [{ id: editor.id!, name: 'editor' }] });
    assert.ok(
      !((await token('portal', 'portal-secret', 'carl')).realm_access as { roles: string[] }).roles.includes('viewer'),
    );
  });

  test('groups: create, children, members, role mappings inherited by members of subgroups; a user leaves a group', async () => {
    const { id: teamId } = await kc.groups.create({ name: 'team', attributes: { floor: ['3'] } });
    const { id: subId } = await kc.groups.createChildGroup({ id: teamId }, { name: 'night-shift' });
    assert.deepEqual(
      (await kc.groups.listSubGroups({ parentId: teamId })).map((g) => g.name),
      ['night-shift'],
    );
    const team = (await kc.groups.findOne({ id: teamId }))!;
    assert.deepEqual(team.attributes, { floor: ['3'] });
    assert.equal(team.path, '/team');
    await kc.groups.update({ id: teamId }, { name: 'team', attributes: { floor: ['4'] } });
    const editor = (await kc.roles.findOneByName({ name: 'editor' }))!;
    await kc.groups.addRealmRoleMappings({ id: teamId, roles: [{ id: editor.id!, name: 'editor' }] });
    assert.deepEqual(
      (await kc.groups.listRealmRoleMappings({ id: teamId })).map((r) => r.name),
      ['editor'],
    );
    assert.deepEqual(
      (await kc.groups.listCompositeRealmRoleMappings({ id: subId })).map((r) => r.name),
      ['editor', 'viewer'],
    );
    const bob = (await kc.users.find({ username: 'bob' }))[0]!;
    await kc.users.addToGroup({ id: bob.id!, groupId: subId });
    assert.deepEqual(
      (await kc.groups.listMembers({ id: subId })).map((u) => u.username),
      ['bob'],
    );
    assert.deepEqual(
      (await kc.users.listGroups({ id: bob.id! })).map((g) => g.path),
      ['/partners', '/team/night-shift'],
    );
    assert.ok(((await token('app', 'app-secret', 'bob')).realm_access as { roles: string[] }).roles.includes('viewer'));
    await kc.users.delFromGroup({ id: bob.id!, groupId: subId });
    assert.deepEqual(await kc.groups.listMembers({ id: subId }), []);
    assert.equal(((await kc.groups.count()) as { count: number }).count, 5);
  });

  test('client scopes with protocol mappers; the realm defaults for new clients; scope mappings', async () => {
    const { id } = await kc.clientScopes.create({
      name: 'billing',
      protocol: 'openid-connect',
      attributes: { 'include.in.token.scope': 'true' },
    });
    await kc.clientScopes.addProtocolMapper(
      { id },
      {
        name: 'billing audience',
        protocol: 'openid-connect',
        protocolMapper: 'oidc-audience-mapper',
        config: { 'included.client.audience': 'api', 'access.token.claim': 'true' },
      },
    );
    assert.deepEqual(
      (await kc.clientScopes.listProtocolMappers({ id })).map((m) => m.name),
      ['billing audience'],
    );
    await kc.clientScopes.addDefaultOptionalClientScope({ id });
    assert.ok((await kc.clientScopes.listDefaultOptionalClientScopes()).some((s) => s.name === 'billing'));
    const { id: newClient } = await kc.clients.create({
      clientId: 'later',
      secret: 'later-secret',
      directAccessGrantsEnabled: true,
    });
    assert.ok((await kc.clients.listOptionalClientScopes({ id: newClient })).some((s) => s.name === 'billing'));
    const at = await token('later', 'later-secret', 'alice', 'openid billing');
    // The scope's audience mapper, and (audience resolve) app, which alice has roles of.
    assert.deepEqual(at.aud, ['later', 'api', 'app']);
    assert.match(at.scope as string, /billing/);

    // A client without full scope: only its scope mappings.
    const limited = (await kc.clients.find({ clientId: 'limited' }))[0]!;
    const admin = (await kc.roles.findOneByName({ name: 'admin' }))!;
    await kc.clients.addRealmScopeMappings({ id: limited.id! }, [admin]);
    assert.deepEqual(
      (await kc.clients.listRealmScopeMappings({ id: limited.id! })).map((r) => r.name),
      ['admin', 'user'],
    );
    const limitedToken = await token('limited', 'limited-secret', 'alice');
    assert.deepEqual((limitedToken.realm_access as { roles: string[] }).roles, ['admin', 'user']);
    await kc.clientScopes.del({ id });
    assert.equal(await kc.clientScopes.findOne({ id }), null);
  });

  test('the service-account user, the realm keys, and partial import with SKIP, OVERWRITE and FAIL', async () => {
    const svc = (await kc.clients.find({ clientId: 'svc' }))[0]!;
    assert.equal((await kc.clients.getServiceAccountUser({ id: svc.id! })).username, 'service-account-svc');

    const keys = await kc.realms.getKeys({ realm });
    assert.equal(typeof keys.active?.RS256, 'string');
    const rs = keys.keys!.find((k) => k.kid === keys.active!.RS256)!;
    assert.equal(rs.status, 'ACTIVE');
    assert.equal(rs.type, 'RSA');
    assert.ok(rs.publicKey && rs.certificate);

    const rep = {
      ifResourceExists: 'SKIP',
      users: [
        { username: 'alice', firstName: 'Changed' },
        { username: 'erin', enabled: true, realmRoles: ['auditor'] },
      ],
      roles: { realm: [{ name: 'auditor' }, { name: 'reviewer' }] },
    };
    const skipped = await kc.realms.partialImport({ realm, rep: rep as never });
    assert.equal(skipped.added, 2);
    assert.equal(skipped.skipped, 2);
    assert.deepEqual(skipped.results!.map((r) => `${r.action} ${r.resourceType} ${r.resourceName}`).sort(), [
      'ADDED REALM_ROLE reviewer',
      'ADDED USER erin',
      'SKIPPED REALM_ROLE auditor',
      'SKIPPED USER alice',
    ]);
    assert.equal((await kc.users.find({ username: 'alice' }))[0]!.firstName, 'Alice');
    const overwritten = await kc.realms.partialImport({
      realm,
      rep: { ...rep, ifResourceExists: 'OVERWRITE' } as never,
    });
    assert.equal(overwritten.overwritten, 4);
    assert.equal((await kc.users.find({ username: 'alice' }))[0]!.firstName, 'Changed');
    await assert.rejects(
      kc.realms.partialImport({ realm, rep: { ...rep, ifResourceExists: 'FAIL' } as never }),
      (err: Error & { response?: { status: number } }) => err.response?.status === 409,
    );
  });
  test('the calls left: effective client roles, client and group role removals, deletes of roles, composites and groups, a scope update', async () => {
    const app = (await kc.clients.find({ clientId: 'app' }))[0]!;
    const bob = (await kc.users.find({ username: 'bob', exact: true }))[0]!;
    await kc.clients.createRole({ id: app.id!, name: 'app-temp' });
    const temp = (await kc.clients.findRole({ id: app.id!, roleName: 'app-temp' }))!;
    await kc.users.addClientRoleMappings({
      id: bob.id!,
      clientUniqueId: app.id!,
      roles: [{ id: temp.id!, name: 'app-temp' }],
    });
    assert.deepEqual(
      (await kc.users.listCompositeClientRoleMappings({ id: bob.id!, clientUniqueId: app.id! })).map((r) => r.name),
      ['app-temp'],
    );
    await kc.users.delClientRoleMappings({
      id: bob.id!,
      clientUniqueId: app.id!,
      roles: [{ id: temp.id!, name: 'app-temp' }],
    });
    assert.deepEqual(await kc.users.listClientRoleMappings({ id: bob.id!, clientUniqueId: app.id! }), []);

    // A group's client roles, then its realm roles, added and removed; members see both at once.
    const { id: groupId } = await kc.groups.create({ name: 'temps' });
    await kc.users.addToGroup({ id: bob.id!, groupId });
    await kc.groups.addClientRoleMappings({
      id: groupId,
      clientUniqueId: app.id!,
      roles: [{ id: temp.id!, name: 'app-temp' }],
    });
    assert.deepEqual(
      (await kc.groups.listCompositeClientRoleMappings({ id: groupId, clientUniqueId: app.id! })).map((r) => r.name),
      ['app-temp'],
    );
    assert.ok((await token('app', 'app-secret', 'bob')).resource_access !== undefined);
    await kc.groups.delClientRoleMappings({
      id: groupId,
      clientUniqueId: app.id!,
      roles: [{ id: temp.id!, name: 'app-temp' }],
    });
    const auditor = (await kc.roles.findOneByName({ name: 'auditor' }))!;
    await kc.groups.addRealmRoleMappings({ id: groupId, roles: [{ id: auditor.id!, name: 'auditor' }] });
    assert.ok(
      ((await token('app', 'app-secret', 'bob')).realm_access as { roles: string[] }).roles.includes('auditor'),
    );
    assert.ok(
      !(await kc.groups.listAvailableRealmRoleMappings({ id: groupId })).some((r) => r.name === 'auditor'),
      'a held role is not available',
    );
    await kc.groups.delRealmRoleMappings({ id: groupId, roles: [{ id: auditor.id!, name: 'auditor' }] });
    assert.ok(
      !((await token('app', 'app-secret', 'bob')).realm_access as { roles: string[] }).roles.includes('auditor'),
    );

    // Composites removed, roles and groups deleted.
    await kc.roles.create({ name: 'bundle' });
    const bundle = (await kc.roles.findOneByName({ name: 'bundle' }))!;
    await kc.roles.createComposite({ roleId: bundle.id! }, [auditor]);
    await kc.roles.delCompositeRoles({ id: bundle.id! }, [auditor]);
    assert.deepEqual(await kc.roles.getCompositeRoles({ id: bundle.id! }), []);
    await kc.roles.delByName({ name: 'bundle' });
    assert.equal(await kc.roles.findOneByName({ name: 'bundle' }), null, 'a 404, as the library reads it');
    await kc.clients.delRole({ id: app.id!, roleName: 'app-temp' });
    assert.ok(!(await kc.clients.listRoles({ id: app.id! })).some((r) => r.name === 'app-temp'));
    await kc.groups.del({ id: groupId });
    assert.ok(!(await kc.users.listGroups({ id: bob.id! })).some((g) => g.name === 'temps'));

    // A client scope renamed in place keeps its id and mappers.
    const { id: scopeId } = await kc.clientScopes.create({ name: 'temp-scope', protocol: 'openid-connect' });
    await kc.clientScopes.update(
      { id: scopeId },
      { name: 'temp-scope-2', protocol: 'openid-connect', description: 'renamed' },
    );
    const renamed = (await kc.clientScopes.findOne({ id: scopeId }))!;
    assert.equal(renamed.name, 'temp-scope-2');
    assert.equal(renamed.description, 'renamed');
    await kc.clientScopes.del({ id: scopeId });
  });
});
