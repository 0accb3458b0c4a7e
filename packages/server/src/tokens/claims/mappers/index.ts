// Every protocol mapper type the claims engine evaluates, by Keycloak's type name.
import type { MapperKind } from '../mapper-kind.ts';
import {
  acrMapper,
  allowedOriginsMapper,
  audienceMapper,
  groupMembershipMapper,
  hardcodedClaimMapper,
  sessionNoteMapper,
  subMapper,
} from './claim-mappers.ts';
import { audienceResolveMapper, clientRoleMapper, hardcodedRoleMapper, realmRoleMapper } from './role-mappers.ts';
import { addressMapper, fullNameMapper, userAttributeMapper, userPropertyMapper } from './user-mappers.ts';

const KINDS: readonly MapperKind[] = [
  userPropertyMapper,
  userAttributeMapper,
  fullNameMapper,
  addressMapper,
  hardcodedClaimMapper,
  hardcodedRoleMapper,
  audienceMapper,
  audienceResolveMapper,
  realmRoleMapper,
  clientRoleMapper,
  groupMembershipMapper,
  allowedOriginsMapper,
  acrMapper,
  subMapper,
  sessionNoteMapper,
];

export const OIDC_MAPPER_KINDS: ReadonlyMap<string, MapperKind> = new Map(KINDS.map((k) => [k.type, k]));
