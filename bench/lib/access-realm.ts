// The realms of bench/access-model.ts: n realm roles, composites, groups 3 deep, a realistic client
// (5 default client scopes, 8 protocol mappers of its own) and a bare one, as Keycloak JSON.

/** The realistic client's own 8 mappers, one of each common family (Keycloak's config keys). */
const MAPPERS = [
  [
    'tenant',
    'oidc-hardcoded-claim-mapper',
    { 'claim.name': 'tenant.id', 'claim.value': '42', 'jsonType.label': 'long' },
  ],
  ['dept', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'dept', 'claim.name': 'dept', multivalued: 'true' }],
  ['api audience', 'oidc-audience-mapper', { 'included.client.audience': 'api' }],
  ['groups', 'oidc-group-membership-mapper', { 'claim.name': 'groups', 'full.path': 'true' }],
  ['realm roles', 'oidc-usermodel-realm-role-mapper', { 'claim.name': 'app.roles', multivalued: 'true' }],
  [
    'client roles',
    'oidc-usermodel-client-role-mapper',
    { 'claim.name': 'app.api', 'usermodel.clientRoleMapping.clientId': 'api', multivalued: 'true' },
  ],
  ['email', 'oidc-usermodel-property-mapper', { 'user.attribute': 'email', 'claim.name': 'mail' }],
  ['hardcoded role', 'oidc-hardcoded-role-mapper', { role: 'r1' }],
].map(([name, type, config]) => ({
  name,
  protocol: 'openid-connect',
  protocolMapper: type,
  config: { ...(config as Record<string, string>), 'access.token.claim': 'true', 'id.token.claim': 'true' },
}));
const SCOPES = ['profile', 'email', 'roles', 'web-origins', 'acr'];

/**
 * A realm of `n` realm roles (r0…), every tenth a composite of the nine after it; 4 roles of
 * client `api`; groups /team-a/sub/leaf, /team-b, /team-c, each mapped a composite; the realistic
 * clients `svc` (service account) and `app` (user `u`), and the bare ones `bare-svc`, `bare-app`.
 */
export function accessRealm(n: number): Record<string, unknown> {
  const roles = Array.from({ length: n }, (_, i) =>
    i % 10 === 0 && i + 9 < n
      ? { name: `r${i}`, composite: true, composites: { realm: Array.from({ length: 9 }, (_, k) => `r${i + k + 1}`) } }
      : { name: `r${i}` },
  );
  const big = n >= 1000 ? 100 : 0;
  if (big)
    roles.push({
      name: 'all-1000',
      composite: true,
      composites: { realm: Array.from({ length: big }, (_, k) => `r${k * 10}`) },
    });
  const composite = (k: number) => `r${Math.min(k, Math.floor((n - 10) / 10)) * 10}`;
  const secret = (clientId: string) => ({ clientId, secret: `${clientId}-secret` });
  const m2m = { standardFlowEnabled: false, serviceAccountsEnabled: true };
  const user = { directAccessGrantsEnabled: true, redirectUris: ['https://app.bench/cb'] };
  const realistic = { defaultClientScopes: SCOPES, optionalClientScopes: [], protocolMappers: MAPPERS };
  const bare = { defaultClientScopes: [], optionalClientScopes: [] };
  const groups = ['/team-a/sub/leaf', '/team-b', '/team-c'];
  return {
    roles: { realm: roles, client: { api: ['read', 'write', 'admin', 'audit'].map((name) => ({ name })) } },
    groups: [
      {
        name: 'team-a',
        realmRoles: [composite(1)],
        subGroups: [
          {
            name: 'sub',
            realmRoles: [composite(2)],
            subGroups: [{ name: 'leaf', realmRoles: [composite(3)], clientRoles: { api: ['read'] } }],
          },
        ],
      },
      { name: 'team-b', realmRoles: [composite(4)] },
      { name: 'team-c', realmRoles: [composite(5)], clientRoles: { api: ['write'] } },
    ],
    clients: [
      { ...secret('api'), standardFlowEnabled: false },
      { ...secret('svc'), ...m2m, ...realistic },
      { ...secret('app'), ...user, ...realistic },
      { ...secret('bare-svc'), ...m2m, ...bare },
      { ...secret('bare-app'), ...user, ...bare },
      ...(big ? [{ ...secret('big-svc'), ...m2m, ...realistic }] : []),
    ],
    users: [
      {
        username: 'u',
        email: 'u@bench.example',
        attributes: { dept: ['eng'] },
        realmRoles: [composite(0)],
        groups,
        credentials: [{ value: 'pw' }],
      },
      { username: 'service-account-svc', serviceAccountClientId: 'svc', realmRoles: [composite(0)], groups },
      { username: 'service-account-bare-svc', serviceAccountClientId: 'bare-svc' },
      { username: 'bare-u', credentials: [{ value: 'pw' }] },
      ...(big
        ? [{ username: 'service-account-big-svc', serviceAccountClientId: 'big-svc', realmRoles: ['all-1000'] }]
        : []),
    ],
  };
}
