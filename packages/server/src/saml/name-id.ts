// Which NameID a Response carries (saml.md §3; Keycloak SamlProtocol.getNameIdFormat/getNameId):
// the AuthnRequest's NameIDPolicy@Format unless the client forces its configured format, else
// the configured one. Core §3.4.1.1: a format the IdP cannot provide → InvalidNameIDPolicy.
import { randomUUID } from 'node:crypto';
import { NAME_ID_FORMATS, type NameIdFormatName } from './saml-client-attributes.ts';
import { STATUS } from './saml-constants.ts';
import { SamlError } from './saml-errors.ts';

export function resolveNameIdFormat(
  client: { nameIdFormat: NameIdFormatName; forceNameIdFormat: boolean },
  requested: string | null,
): NameIdFormatName {
  if (requested === null || client.forceNameIdFormat) return client.nameIdFormat;
  const name = (Object.keys(NAME_ID_FORMATS) as NameIdFormatName[]).find((k) => NAME_ID_FORMATS[k] === requested);
  if (!name)
    throw new SamlError('invalid_message', 'invalid_authn_request', 'the requested NameID format is not supported', {
      subStatus: STATUS.invalidNameIdPolicy,
      detail: requested,
    });
  return name;
}

export interface NameIdSubject {
  username: string;
  email: string | null;
  /** The stable per-client pseudonym (Keycloak: user attribute `saml.persistent.name.id.for.<clientId>`). */
  persistentId: string;
}

export interface NameId {
  value: string;
  format: string;
}

/** The NameID for a format: username, email, a fresh transient `G-<uuid>`, or the persistent ID. */
export function nameIdFor(format: NameIdFormatName, subject: NameIdSubject): NameId {
  const uri = NAME_ID_FORMATS[format];
  switch (format) {
    case 'username':
      return { value: subject.username, format: uri };
    case 'email':
      if (!subject.email)
        throw new SamlError(
          'invalid_message',
          'invalid_authn_request',
          'the user has no email address for the NameID',
          {
            status: STATUS.responder,
            subStatus: STATUS.invalidNameIdPolicy,
          },
        );
      return { value: subject.email, format: uri };
    case 'transient':
      return { value: `G-${randomUUID()}`, format: uri };
    case 'persistent':
      return { value: subject.persistentId, format: uri };
  }
}
