// The logout list as CSV (RFC 4180), for auditors' spreadsheets: one row per logout, times in
// ISO 8601 UTC. A cell that a spreadsheet would run as a formula (=, +, -, @ first) is quoted
// with a leading apostrophe (OWASP CSV injection).
import { DELIVERY_STATUSES } from '../store/schema.ts';
import type { LogoutSummary } from './logout-endpoints.ts';

function cell(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function logoutsCsv(rows: readonly LogoutSummary[]): string {
  const header = [
    'id',
    'created_at',
    'trigger',
    'started_by',
    'actor',
    'ip_address',
    'user_id',
    'username',
    'sessions',
    'outcome',
    ...DELIVERY_STATUSES,
  ];
  const lines = rows.map((r) =>
    [
      r.id,
      new Date(r.createdAt).toISOString(),
      r.trigger,
      r.startedBy,
      r.actor,
      r.ipAddress,
      r.userId,
      r.username,
      r.sessions,
      r.outcome,
      ...DELIVERY_STATUSES.map((s) => r.deliveries[s]),
    ]
      .map(cell)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
