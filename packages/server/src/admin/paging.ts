// Keycloak's `first` / `max` query parameters of the admin API's lists: a bad value falls back
// to the default (first 0, max 100), and no page is larger than 1000.
import type { Paging } from './admin-store.ts';

export function paging(url: URL): Paging {
  const first = Number(url.searchParams.get('first') ?? '0');
  const max = Number(url.searchParams.get('max') ?? '100');
  return {
    first: Number.isInteger(first) && first >= 0 ? first : 0,
    max: Number.isInteger(max) && max > 0 ? Math.min(max, 1000) : 100,
  };
}
