// The look of the two demo apps: one small self-contained page, no external assets.
const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);

export interface AppPage {
  app: string;
  accent: string;
  user: { name: string; username: string; sid: string } | null;
  note?: string;
  /** The tab relay's browser module (@sundown/rp): a signed-in page shows signed-out at once when the session ends. */
  sessionEvents?: string;
}

export function renderAppPage(p: AppPage): string {
  const body = p.user
    ? `<p class="state in">Signed in</p>
<h1>Hello, ${esc(p.user.name)}</h1>
<dl><dt>User</dt><dd>${esc(p.user.username)}</dd><dt>Session (sid)</dt><dd><code data-testid="sid">${esc(p.user.sid)}</code></dd></dl>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>${p.sessionEvents ? `<script type="module" src="${esc(p.sessionEvents)}"></script>` : ''}`
    : `<p class="state out" data-testid="signed-out">Signed out</p>
<h1>Welcome to ${esc(p.app)}</h1>
<p>Sign in with your Sundown account. Signing out in any app signs you out here too.</p>
<form method="get" action="/login"><button type="submit">Sign in</button></form>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(p.app)}</title><style>
:root{color-scheme:light dark;--a:${p.accent}}*{box-sizing:border-box}body{margin:0;min-height:100vh;display:grid;place-items:center;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:color-mix(in srgb,var(--a) 8%,Canvas);color:CanvasText;padding:1.5rem}
main{width:100%;max-width:26rem;background:Canvas;border-radius:14px;padding:2rem;border:1px solid color-mix(in srgb,CanvasText 12%,transparent);box-shadow:0 10px 30px rgb(0 0 0/.06)}
.app{font-weight:650;color:var(--a);letter-spacing:.02em;font-size:.9rem}h1{font-size:1.4rem;margin:.25rem 0 1rem}
.state{display:inline-block;margin:0;padding:.15rem .6rem;border-radius:99px;font-size:.8rem;font-weight:600}.in{background:#dcfce7;color:#166534}.out{background:#fee2e2;color:#991b1b}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0 0 1.25rem}dt{color:color-mix(in srgb,CanvasText 60%,transparent)}dd{margin:0;word-break:break-all}code{font-size:.85rem}
button{width:100%;padding:.7rem;font:inherit;font-weight:650;border:0;border-radius:8px;background:var(--a);color:#fff;cursor:pointer}button:focus-visible{outline:3px solid color-mix(in srgb,var(--a) 50%,transparent);outline-offset:2px}
.note{font-size:.8rem;color:color-mix(in srgb,CanvasText 55%,transparent);margin-top:1.25rem}
</style></head><body><main><div class="app">${esc(p.app)}</div>${body}<p class="note">${esc(p.note ?? 'This app checks its session on every request: a logout anywhere ends it here too.')}</p></main></body></html>`;
}
