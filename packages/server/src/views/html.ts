// Minimal HTML templating: escaping and the page frame shared by every browser-facing page.
// No external assets: styles are inline so the pages work offline and under a strict CSP.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/** A fragment of already-escaped HTML. */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

/** Tagged template that escapes every interpolated value unless it is already Html. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    const parts = Array.isArray(v) ? v : [v];
    for (const part of parts) {
      if (part === undefined || part === null || part === false) continue;
      out += part instanceof Html ? part.value : escapeHtml(String(part));
    }
    out += strings[i + 1]!;
  });
  return new Html(out);
}

const STYLE = `
:root{color-scheme:light dark;--bg:#f4f1ec;--card:#fff;--ink:#1d1b19;--muted:#6b645c;--accent:#c2410c;--accent-ink:#fff;--line:#e2ddd5;--err-bg:#fdecea;--err:#9f1c13}
@media (prefers-color-scheme:dark){:root{--bg:#171513;--card:#221f1c;--ink:#f1ece6;--muted:#a69d93;--line:#3a352f;--err-bg:#3b1714;--err:#ffb4a9}}
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:1.5rem}
main{width:100%;max-width:24rem;background:var(--card);border:1px solid var(--line);border-radius:14px;padding:2rem;box-shadow:0 10px 30px rgb(0 0 0/.06)}
.brand{display:flex;align-items:center;gap:.5rem;font-weight:650;letter-spacing:.02em;color:var(--muted);font-size:.9rem;margin-bottom:1.25rem}
.brand svg{width:1.4rem;height:1.4rem}
h1{font-size:1.35rem;margin:0 0 .35rem}p{margin:.25rem 0 1rem;color:var(--muted)}
label{display:block;font-weight:600;font-size:.9rem;margin:1rem 0 .35rem}
input[type=text],input[type=email],input[type=password]{width:100%;padding:.65rem .75rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--line);border-radius:8px}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid color-mix(in srgb,var(--accent) 60%,transparent);outline-offset:2px}
button{margin-top:1.5rem;width:100%;padding:.7rem;font:inherit;font-weight:650;border:0;border-radius:8px;background:var(--accent);color:var(--accent-ink);cursor:pointer}
a.link{display:inline-block;margin-top:1rem;color:var(--accent)}
button.secondary{background:transparent;color:var(--ink);border:1px solid var(--line);margin-top:.75rem}
.error{background:var(--err-bg);color:var(--err);border-radius:8px;padding:.6rem .75rem;margin:1rem 0 0;font-size:.95rem}
.meta{font-size:.8rem;color:var(--muted);margin-top:1.5rem;word-break:break-all}
.apps{list-style:none;padding:0;margin:1rem 0}.apps li{display:grid;grid-template-columns:1.5rem 1fr;gap:0 .5rem;padding:.5rem 0;border-top:1px solid var(--line)}
.apps .icon{font-weight:700;text-align:center}.apps .name{font-weight:600}.apps .state,.apps .why{grid-column:2;font-size:.9rem;color:var(--muted)}
.apps [data-state=signed_out] .icon{color:#15803d}.apps [data-state=failed] .icon,.apps [data-state=not_told] .icon{color:var(--err)}
.outcome{font-weight:600;color:var(--ink)}
.sessions{list-style:none;padding:0;margin:1rem 0}.sessions li{padding:.6rem 0;border-top:1px solid var(--line)}.sessions .name{display:block;font-weight:600}.sessions .detail{display:block;font-size:.9rem;color:var(--muted)}
`;

const LOGO = new Html(
  '<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="14" r="6" fill="#c2410c"/><rect x="2" y="14" width="20" height="8" fill="currentColor" opacity=".12"/><path d="M2 14h20" stroke="currentColor" stroke-width="1.5"/></svg>',
);

/** A page in Sundown's frame; `head`: extra elements for its head (a refresh without scripts). */
export function page(title: string, body: Html, lang = 'en', head: Html | null = null): string {
  return `<!doctype html>${html`<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title} · Sundown</title><style>${new Html(STYLE)}</style>${head}</head><body><main><div class="brand">${LOGO}<span>Sundown</span></div>${body}</main></body></html>`}`;
}
