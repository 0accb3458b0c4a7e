// The fields of the mail pages (forgot password, reset link, registration): a labelled input with
// its autocomplete purpose, rendered by form-field.ts with its error tied to it (WCAG 3.3.1 /
// 1.3.1); names and email addresses are not capitalised or spell-checked.
import { type Html, html } from '../views/html.ts';
import { formField as field } from './form-field.ts';

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
  const type = f.type ?? 'text';
  return field({
    name: f.name,
    label: f.label,
    type,
    // A password is never sent back to the browser.
    value: type === 'password' ? null : (f.value ?? ''),
    error: f.error,
    autofocus: f.autofocus ?? false,
    attributes: html`autocomplete="${f.autocomplete}" ${type === 'password' ? null : html`autocapitalize="none" spellcheck="false"`}`,
  });
}

/** What the page says about where mail goes when the realm has no SMTP server. */
export function mailRouteNotice(route: 'smtp' | 'log' | 'none'): Html | null {
  if (route === 'log')
    return html`<p class="meta" role="note">This server has no mail server configured for this realm: the message was written to the server log instead (development).</p>`;
  return null;
}
