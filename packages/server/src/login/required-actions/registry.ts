// The required actions that have a page and a form of their own, one entry each: what the page
// shows, what its POST does (submit-required-action.ts dispatches here), what reaching it does and
// when a user is given it on the way (enter-required-action.ts). UPDATE_PASSWORD is run by
// submit-required-action.ts itself.
import type { RequiredAction } from '../../realm/required-actions.ts';
import { configureTotp } from './configure-totp.ts';
import type { RequiredActionHandler } from './required-action-handler.ts';
import { termsAndConditions } from './terms-and-conditions.ts';
import { updateProfile } from './update-profile.ts';
import { verifyEmail } from './verify-email.ts';

export const REQUIRED_ACTION_HANDLERS: Partial<Record<RequiredAction, RequiredActionHandler>> = {
  CONFIGURE_TOTP: configureTotp,
  UPDATE_PROFILE: updateProfile,
  TERMS_AND_CONDITIONS: termsAndConditions,
  VERIFY_EMAIL: verifyEmail,
};
