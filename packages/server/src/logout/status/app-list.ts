// The list of a logout's applications with their states, as the signed-out page and the account
// page show it: each app by its display name, its state in words with a symbol beside it (never
// colour alone), and why it is not signed out yet. The outcome line is a polite live region, so a
// screen reader hears the outcome once it is known; the page's script updates both in place.
import { html, type Html } from '../../views/html.ts';
import type { AppState, AppStatus, LogoutStatus } from './app-states.ts';

const SYMBOL: Record<AppState, string> = {
  signed_out: '✓',
  pending: '…',
  retrying: '↻',
  told_by_browser: '→',
  failed: '✗',
  not_told: '–',
};

function appItem(app: AppStatus): Html {
  return html`<li data-client="${app.clientId}" data-state="${app.state}"><span class="icon" aria-hidden="true">${SYMBOL[app.state]}</span><span class="name">${app.name}</span><span class="state">${app.label}</span>${app.why ? html`<span class="why">${app.why}</span>` : null}</li>`;
}

/** The outcome line and the list; `live`: the outcome is the page's live region (one per page). */
export function appList(status: LogoutStatus, live = true): Html {
  const outcome = live
    ? html`<p class="outcome" id="logout-outcome" role="status" aria-live="polite">${status.outcome}</p>`
    : html`<p class="outcome">${status.outcome}</p>`;
  if (status.apps.length === 0) return outcome;
  const items = status.apps.map(appItem);
  return live
    ? html`${outcome}<ul class="apps" id="logout-apps" aria-label="Applications">${items}</ul>`
    : html`${outcome}<ul class="apps" aria-label="Applications">${items}</ul>`;
}

/** The symbols, for the page's script to set them as it updates the list. */
export const APP_SYMBOLS = SYMBOL;
