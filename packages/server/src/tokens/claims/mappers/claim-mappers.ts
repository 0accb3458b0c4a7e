// Mappers of fixed values and of the session: a hardcoded claim (HardcodedClaim), an audience
// (AudienceProtocolMapper), the allowed web origins (AllowedWebOriginsProtocolMapper), `acr`
// (AcrProtocolMapper), `sub` (SubMapper), a user-session note (UserSessionNoteMapper: the notes
// Keycloak itself writes) and group membership (GroupMembershipMapper).
import { mapClaim } from '../token-draft.ts';
import { type MapperKind, PRIORITY } from '../mapper-kind.ts';

export const hardcodedClaimMapper: MapperKind = {
  type: 'oidc-hardcoded-claim-mapper',
  priority: PRIORITY.default,
  kinds: ['access', 'id', 'userinfo'],
  apply(_ctx, draft, config) {
    const value = config['claim.value'];
    if (value !== undefined) mapClaim(draft, config, value);
  },
};

export const audienceMapper: MapperKind = {
  type: 'oidc-audience-mapper',
  priority: PRIORITY.default,
  kinds: ['access', 'id'],
  apply(_ctx, draft, config) {
    // A client's clientId, else a custom audience.
    const audience = config['included.client.audience'] || config['included.custom.audience'];
    if (audience) draft.audience.push(audience);
  },
};

export const allowedOriginsMapper: MapperKind = {
  type: 'oidc-allowed-origins-mapper',
  priority: PRIORITY.default,
  kinds: ['access'],
  includeByDefault: true,
  apply(ctx, draft) {
    if (ctx.client.webOrigins.length > 0) draft.claims['allowed-origins'] = [...ctx.webOrigins];
  },
};

export const acrMapper: MapperKind = {
  type: 'oidc-acr-mapper',
  priority: PRIORITY.default,
  kinds: ['access', 'id'],
  apply(ctx, draft) {
    draft.acr = ctx.session.acr;
  },
};

export const subMapper: MapperKind = {
  type: 'oidc-sub-mapper',
  priority: PRIORITY.sub,
  kinds: ['access'],
  apply(ctx, draft) {
    draft.sub = ctx.user.id;
  },
};

/** The user-session notes Keycloak sets: AUTH_TIME at sign-in, and the service account's client and address. */
export const sessionNoteMapper: MapperKind = {
  type: 'oidc-usersessionmodel-note-mapper',
  priority: PRIORITY.default,
  kinds: ['access', 'id', 'userinfo'],
  apply(ctx, draft, config) {
    const note = config['user.session.note'];
    const sa = ctx.session.serviceAccount;
    let value: string | null = null;
    if (note === 'AUTH_TIME' && ctx.session.authTime !== null) value = String(ctx.session.authTime);
    else if ((note === 'clientId' || note === 'client_id') && sa) value = sa.clientId;
    else if ((note === 'clientAddress' || note === 'clientHost') && sa) value = sa.clientAddress;
    if (value !== null) mapClaim(draft, config, value);
  },
};

export const groupMembershipMapper: MapperKind = {
  type: 'oidc-group-membership-mapper',
  priority: PRIORITY.default,
  kinds: ['access', 'id', 'userinfo'],
  apply(ctx, draft, config) {
    const claim = config['claim.name'];
    if (!claim) return;
    const fullPath = config['full.path'] === 'true';
    draft.claims[claim] = ctx.groups.map((g) => (fullPath ? g.path : g.name));
  },
};
