// The browser half of the tab relay: a tiny ES module, served as text by the relay's handlers
// at `<events path>.js`. It opens an EventSource on the events path (same origin, so the app's
// own cookie goes with it — no third-party cookies involved), marks <html
// data-sundown-session-events="open"> once the stream is live, and, on `signed-out`, dispatches a
// cancelable `sundown:signed-out` event on window, marks <html data-sundown-signed-out>, and then —
// unless a listener called preventDefault() — shows a banner, or reloads the page with `?on=reload`.
// `?on=event` leaves the page to the app's listener; `?message=` sets the banner's text.

/** The module's source, as served (Content-Type text/javascript). */
export const TAB_RELAY_SCRIPT = `// @sundown/rp: tells this tab when its session ends (Server-Sent Events from this origin).
const self = new URL(import.meta.url);
const events = new URL(self.pathname.replace(/\\.js$/, ''), self);
const mode = self.searchParams.get('on') || 'banner';
const source = new EventSource(events);
source.addEventListener('ready', () => { document.documentElement.dataset.sundownSessionEvents = 'open'; });
source.addEventListener('signed-out', (message) => {
  source.close();
  let detail = {};
  try { detail = JSON.parse(message.data); } catch {}
  document.documentElement.dataset.sundownSignedOut = 'true';
  const proceed = window.dispatchEvent(new CustomEvent('sundown:signed-out', { detail, cancelable: true }));
  if (!proceed || mode === 'event') return;
  if (mode === 'reload') return location.reload();
  const banner = document.createElement('div');
  banner.id = 'sundown-signed-out';
  banner.setAttribute('role', 'alert');
  banner.textContent = self.searchParams.get('message') || 'You have been signed out. Reload the page to sign in again.';
  banner.style.cssText = 'position:fixed;inset:0 0 auto 0;z-index:2147483647;padding:1em;background:#1f2937;color:#fff;font:16px/1.4 system-ui,sans-serif;text-align:center';
  document.body.prepend(banner);
});
`;

/** The script as a Web Response. */
export function tabRelayScriptResponse(): Response {
  return new Response(TAB_RELAY_SCRIPT, {
    status: 200,
    headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' },
  });
}
