// The extra CA a back-channel receiver may be trusted with: the client or realm attribute
// `sundown.backchannel.ca.file` holds either PEM certificates or the name of a file in the
// operator's CA folder (--backchannel-ca-dir). Never a path: an attribute written through the
// admin API must not make the server open arbitrary files (a FIFO froze the event loop, and
// which paths exist leaked). Files are read asynchronously, only regular files, size-capped,
// and must hold certificates that node:crypto parses.
import { createHash, X509Certificate } from 'node:crypto';
import { constants, open } from 'node:fs/promises';
import { join } from 'node:path';

import { CLIENT_ATTRIBUTE } from '../../realm/attributes.ts';

const CA_ATTRIBUTE = CLIENT_ATTRIBUTE.backchannelCa;

/** A CA bundle larger than this is a mistake (Mozilla's whole root store is ~220 KiB). */
export const MAX_CA_BYTES = 256 * 1024;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;

/** The certificates to trust, with a stable key for connection pools. */
export interface TrustedCa {
  pem: string[];
  key: string;
}

export class CaUnavailable extends Error {}

/** PEM text → its certificates; throws CaUnavailable naming the problem. */
export function parsePemCertificates(text: string): string[] {
  if (text.length > MAX_CA_BYTES) throw new CaUnavailable(`is larger than ${MAX_CA_BYTES} bytes`);
  if (/PRIVATE KEY-----/.test(text)) throw new CaUnavailable('contains a private key; give only certificates');
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new CaUnavailable('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new CaUnavailable(`certificate ${i + 1} is not a valid X.509 certificate`);
    }
  });
  return blocks;
}

/** PEM text (a bundle may carry comment lines before its blocks), not a file name. */
function isPem(value: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(value);
}

/**
 * The import and admin-API check of the attribute (synchronous, no file access): PEM must
 * parse; anything else must be a plain file name. Returns the problem, or null.
 */
export function caAttributeProblem(value: string): string | null {
  if (isPem(value)) {
    try {
      parsePemCertificates(value);
      return null;
    } catch (err) {
      return `PEM ${(err as Error).message}`;
    }
  }
  if (!FILE_NAME.test(value) || value.includes('..')) {
    return `must be PEM certificates or the name of a file in --backchannel-ca-dir (letters, digits, ".", "_", "-"; no path)`;
  }
  return null;
}

/** Loads attribute values into certificates; file contents are cached briefly. */
export class BackchannelCa {
  readonly #dir: string | null;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { at: number; value: Promise<TrustedCa> }>();

  /** `dir`: the absolute CA folder (--backchannel-ca-dir), or null when files are not allowed. */
  constructor(dir: string | null, cacheMs = 1000) {
    this.#dir = dir;
    this.#cacheMs = cacheMs;
  }

  /** The CA an attribute value stands for; rejects with CaUnavailable. */
  load(value: string): Promise<TrustedCa> {
    const now = Date.now();
    const hit = this.#cache.get(value);
    if (hit && now - hit.at < this.#cacheMs) return hit.value;
    const loaded = this.#load(value);
    this.#cache.set(value, { at: now, value: loaded });
    if (this.#cache.size > 1000) this.#cache.clear();
    return loaded;
  }

  async #load(value: string): Promise<TrustedCa> {
    const problem = caAttributeProblem(value);
    if (problem) throw new CaUnavailable(`${CA_ATTRIBUTE} ${problem}`);
    const pem = isPem(value) ? parsePemCertificates(value) : await this.#readFile(value);
    return { pem, key: createHash('sha256').update(pem.join('\n')).digest('base64url') };
  }

  async #readFile(name: string): Promise<string[]> {
    if (!this.#dir)
      throw new CaUnavailable(`${CA_ATTRIBUTE} names the file "${name}" but the server has no --backchannel-ca-dir`);
    // O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked on the handle,
    // so a file swapped between a check and the open cannot slip through.
    const file = await open(join(this.#dir, name), constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch(
      (err: NodeJS.ErrnoException) => {
        throw new CaUnavailable(`CA file "${name}" cannot be opened in --backchannel-ca-dir (${err.code ?? 'error'})`);
      },
    );
    try {
      const info = await file.stat();
      if (!info.isFile()) throw new CaUnavailable(`CA file "${name}" is not a regular file`);
      if (info.size > MAX_CA_BYTES) throw new CaUnavailable(`CA file "${name}" is larger than ${MAX_CA_BYTES} bytes`);
      const buffer = Buffer.alloc(MAX_CA_BYTES + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await file.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > MAX_CA_BYTES) throw new CaUnavailable(`CA file "${name}" is larger than ${MAX_CA_BYTES} bytes`);
      }
      try {
        return parsePemCertificates(buffer.subarray(0, length).toString('utf8'));
      } catch (err) {
        throw new CaUnavailable(`CA file "${name}" ${(err as Error).message}`);
      }
    } finally {
      await file.close();
    }
  }
}
