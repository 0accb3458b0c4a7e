// One labelled input of a sign-in page, with its error tied to it for a screen reader
// (aria-invalid and aria-describedby name the message, which is announced as an alert).
import { html, type Html } from '../views/html.ts';

export interface FieldInput {
  name: string;
  label: string;
  error?: string | undefined;
  value?: string | null;
  type?: 'text' | 'email' | 'password';
  /** Extra attributes, already HTML (autocomplete, inputmode, …). */
  attributes?: Html;
  autofocus?: boolean;
  required?: boolean;
  /** Ids of further text that describes the field (a hint). */
  describedBy?: string;
}

export function formField(f: FieldInput): Html {
  const errorId = `${f.name}-error`;
  const describedBy = [f.describedBy, f.error ? errorId : undefined].filter(Boolean).join(' ');
  return html`
  <label for="${f.name}">${f.label}</label>
  <input type="${f.type ?? 'text'}" id="${f.name}" name="${f.name}" ${f.value != null ? html`value="${f.value}"` : null} ${f.attributes ?? null} ${f.required === false ? null : html`required`} ${f.autofocus ? html`autofocus` : null} ${f.error ? html`aria-invalid="true"` : null} ${describedBy ? html`aria-describedby="${describedBy}"` : null}>
  ${f.error ? html`<div class="error" id="${errorId}" role="alert">${f.error}</div>` : null}`;
}
