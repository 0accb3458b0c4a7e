// Users' one-time-code credentials of an import, written in its transaction: each is matched
// by its secret, so importing the same file again changes nothing and used codes stay used
// (login/otp/otp-credential-store.ts importFor). A credential enrolled in Sundown since is kept.
import { newId } from '../crypto/random.ts';
import type { OtpCredentialStore } from '../login/otp/otp-credential-store.ts';
import type { WrittenUser } from '../realm/realm-writer.ts';
import type { Executor } from '../store/executor.ts';
import type { UserImport } from './realm-json.ts';

export async function writeOtpCredentials(
  store: OtpCredentialStore,
  realmId: string,
  users: readonly UserImport[],
  written: readonly WrittenUser[],
  now: number,
  tx: Executor,
): Promise<void> {
  const ids = new Map(written.map((w) => [w.username, w.id]));
  for (const user of users) {
    const userId = ids.get(user.username);
    if (!userId) continue;
    for (const otp of user.otp)
      await store.importFor(
        {
          id: newId(),
          realm_id: realmId,
          user_id: userId,
          type: otp.type,
          secret: otp.secret,
          secret_encoding: otp.secretEncoding,
          algorithm: otp.algorithm,
          digits: otp.digits,
          period: otp.period,
          counter: otp.counter,
          user_label: otp.userLabel,
          created_at: otp.createdDate ?? now,
        },
        tx,
      );
  }
}
