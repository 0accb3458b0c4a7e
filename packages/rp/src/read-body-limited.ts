// A Web request body read up to a limit, for the receivers' endpoints (back-channel logout tokens,
// Security Event Tokens): an oversized body is refused without buffering it whole, whether or not
// it declares its length.
/** Reads a Web body up to `limit` bytes; null when larger. */
export async function readBodyLimited(req: Request, limit: number): Promise<string | null> {
  if (Number(req.headers.get('content-length') ?? '0') > limit) return null;
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
