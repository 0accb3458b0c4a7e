// A logout's trace as text for a terminal (`sundown trace`): the logout, its timeline across
// channels with times relative to its start, and each application's outcome.
import type { LogoutTrace } from './logout-trace.ts';
import { APP_SYMBOLS } from '../status/app-list.ts';

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s.padEnd(n));

function since(ms: number): string {
  if (ms < 1000) return `+${ms} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)} s`;
  return `+${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatTrace(trace: LogoutTrace): string {
  const l = trace.logout;
  // A user signs out through a client; an administrator or the CLI is named as itself.
  const actor = l.actor ? (l.startedBy === 'user' ? `through ${l.actor}` : `(${l.actor})`) : null;
  const who = [l.startedBy, actor, l.ipAddress ? `from ${l.ipAddress}` : null].filter(Boolean).join(' ');
  const users = [...new Set(trace.sessions.map((s) => s.username ?? s.userId))];
  const lines = [
    `Logout ${l.id}`,
    `  realm       ${l.realm}`,
    `  trigger     ${l.trigger}`,
    `  started by  ${who}`,
    `  at          ${new Date(l.createdAt).toISOString()}`,
    `  sessions    ${l.sessionCount}${users.length > 0 ? ` (${users.slice(0, 5).join(', ')}${users.length > 5 ? ', …' : ''})` : ''}`,
    `  outcome     ${trace.status.outcome}`,
    '',
    'Timeline',
  ];
  const clientWidth = Math.max(8, ...trace.timeline.map((s) => (s.clientId ?? '').length)) + 1;
  const channelWidth = Math.max(8, ...trace.timeline.map((s) => (s.channel ?? '').length)) + 1;
  for (const step of trace.timeline) {
    lines.push(
      `  ${pad(since(step.at - l.createdAt), 11)}${pad(step.clientId ?? '—', clientWidth)}${pad(step.channel ?? '', channelWidth)}${step.what}`,
    );
  }
  lines.push('', 'Applications');
  if (trace.status.apps.length === 0) lines.push('  (none had to be told)');
  const nameWidth = Math.max(8, ...trace.status.apps.map((a) => a.name.length)) + 1;
  for (const app of trace.status.apps) {
    lines.push(`  ${APP_SYMBOLS[app.state]} ${pad(app.name, nameWidth)}${app.label}${app.why ? ` — ${app.why}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
