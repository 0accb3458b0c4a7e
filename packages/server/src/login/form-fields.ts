// One labelled form field with its error tied to it (WCAG 3.3.1 / 1.3.1): the input names its
// error with aria-describedby and is aria-invalid while the error stands; the error is an alert,
// so a screen reader reads it when the page comes back. Used by the forgot-password, reset-link
// and registration pages.
import { type Html, html } from '../views/html.ts';

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  value?: string;
  autocomplete: string;
  error?: string | undefined;
  autofocus?: boolean;
}

export function formField(f: FieldSpec): Html {
  const errorId = `${f.name}-error`;
  const type = f.type ?? 'text';
  return html`
  <label for="${f.name}">${f.label}</label>
  <input type="${type}" id="${f.name}" name="${f.name}" ${type === 'password' ? null : html`value="${f.value ?? ''}"`} autocomplete="${f.autocomplete}" ${type === 'text' || type === 'email' ? html`autocapitalize="none" spellcheck="false"` : null} required ${f.autofocus ? html`autofocus` : null} ${f.error ? html`aria-invalid="true" aria-describedby="${errorId}"` : null}>
  ${f.error ? html`<div class="error" id="${errorId}" role="alert">${f.error}</div>` : null}`;
}

/** What the page says about where mail goes when the realm has no SMTP server. */
export function mailRouteNotice(route: 'smtp' | 'log' | 'none'): Html | null {
  if (route === 'log')
    return html`<p class="meta" role="note">This server has no mail server configured for this realm: the message was written to the server log instead (development).</p>`;
  return null;
}
