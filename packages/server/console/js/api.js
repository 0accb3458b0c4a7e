// @ts-check
// Calls to the admin REST API with the console's token; errors keep the API's error code and
// description so the page can show them as they are.
import { accessToken, config } from './auth.js';

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} description */
  constructor(status, code, description) {
    super(description);
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {string} method
 * @param {string} path relative to /admin/realms
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
  /** @param {boolean} force */
  const send = async (force) =>
    fetch(config.apiBase + path, {
      method,
      headers: {
        authorization: `Bearer ${await accessToken(force)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let res = await send(false);
  if (res.status === 401) res = await send(true);
  if (res.status === 204 || res.status === 201) return null;
  const json = await res.json().catch(() => null);
  if (!res.ok)
    throw new ApiError(
      res.status,
      json?.error ?? 'error',
      json?.error_description ?? `The server answered ${res.status}`,
    );
  return json;
}

/** @param {string} realm */
export const realmPath = (realm) => `/${encodeURIComponent(realm)}`;
