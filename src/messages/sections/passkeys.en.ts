/**
 * English sentences of passkeys (issue #12): the `/settings/passkeys` page, the passkey
 * controls on /login and /login/two-factor (and what the browser script says there), the
 * API's refusals, the notice mails and the activity names of the passkey events. Spread
 * into en.ts.
 */
export const passkeysEn = {
  'page.passkeys.title': 'Passkeys',
  'page.passkeys.heading': 'Passkeys',
  'page.passkeys.intro':
    'A passkey signs you in with your fingerprint, your face or your device’s screen lock instead of your password. It is kept on your device or in your password manager, works only on this site (so a fake site cannot trick you into using it), and needs nothing typed.',
  'page.passkeys.link': 'Passkeys',
  'page.passkeys.hint': 'Sign in with your fingerprint, face or screen lock instead of a password.',
  'page.passkeys.list_heading': 'Your passkeys',
  'page.passkeys.empty': 'You have no passkeys yet.',
  'page.passkeys.created': 'Added',
  'page.passkeys.last_used': 'Last used',
  'page.passkeys.never_used': 'Not used yet',
  'page.passkeys.kind': 'Kind',
  'page.passkeys.kind_synced': 'Synced between your devices by its provider',
  'page.passkeys.kind_device': 'Kept on one device or security key',
  'page.passkeys.rename_label': 'New name for “{name}”',
  'page.passkeys.rename': 'Rename',
  'page.passkeys.remove': 'Remove “{name}”',
  'page.passkeys.add_heading': 'Add a passkey',
  'page.passkeys.add_intro': 'Your browser will ask you to confirm with your fingerprint, face, screen lock or security key. You can add several passkeys, for example one per device.',
  'page.passkeys.needs_script':
    'Adding a passkey needs a browser that supports passkeys, with JavaScript turned on. If nothing appears below, update your browser or use another device; you can go on signing in with your password.',
  'page.passkeys.name_label': 'Name (optional)',
  'page.passkeys.name_hint': 'For example “Work laptop” or “Phone”. Left empty, the passkey is named after this browser.',
  'page.passkeys.add': 'Add a passkey',
  'page.passkeys.limit': 'You have {limit, number} passkeys, the most an account can have. Remove one to add another.',
  'page.passkeys.default_name': 'Passkey',
  'page.passkeys.not_found': 'You have no passkey with that name any more.',
  'page.passkeys.empty_name': 'Enter a name for the passkey.',
  'page.passkeys.script.working': 'Follow the instructions of your browser or device.',
  'page.passkeys.script.cancelled': 'Nothing happened: the request was cancelled or timed out. Try again when you are ready.',
  'page.passkeys.script.failed': 'That did not work. Try again, or use your password.',
  'page.passkeys.script.exists': 'This device or password manager already holds a passkey for your account.',
  'page.passkeys.sign_in_heading': 'Or use a passkey',
  'page.passkeys.sign_in_intro': 'No need to type your username: your device shows the passkeys it holds for this site.',
  'page.passkeys.sign_in_needs_script': 'Signing in with a passkey needs a browser that supports passkeys, with JavaScript turned on. You can sign in with your username and password above.',
  'page.passkeys.sign_in': 'Sign in with a passkey',
  'page.passkeys.second_factor_intro': 'Instead of a code, you can confirm it is you with one of your passkeys.',
  'page.passkeys.second_factor': 'Use a passkey',

  'flash.passkey-added': 'Your passkey was added. You can sign in with it from now on.',
  'flash.passkey-renamed': 'The passkey was renamed.',
  'flash.passkey-removed': 'The passkey was removed. It no longer signs in to your account.',

  'detail.passkey_rejected': 'The passkey could not be checked: the request expired, was already used, or did not come from this site. Try again.',
  'detail.passkey_conflict': 'That passkey is already registered.',
  'detail.passkey_limit': 'An account can have at most {limit, number} passkeys. Remove one to add another.',
  'detail.passkey_sign_in_failed': 'That passkey did not sign you in. Try again, or use your username and password.',
  'detail.passkey_pending_expired': 'The sign-in expired. Start again with your username and password.',
  'detail.passkey_not_found': 'You have no passkey with that id.',

  'mail.passkey_added.subject': 'A passkey was added to your Gatehouse account',
  'mail.passkey_added.intro': 'A passkey named “{name}” was added to your account {username}. It signs in without your password.',
  'mail.passkey_removed.subject': 'A passkey was removed from your Gatehouse account',
  'mail.passkey_removed.intro': 'The passkey named “{name}” was removed from your account {username}. It no longer signs in.',
  'mail.passkey.manage': 'You can see your passkeys here: {passkeysUrl}',
  'mail.passkey.action': 'This wasn’t me: secure my account',
  'mail.passkey.after': 'The link signs out every session and stops your password from working; you then choose a new one. Remove any passkey you do not know.',

  'activity.event.passkey.renamed': 'Passkey renamed',
  'activity.event.passkey.counter_regressed': 'Passkey refused: its use counter went backwards (a copied passkey?)',

  'apiref.tag_passkeys': 'Passkeys',
  'apiref.summary.listPasskeys': 'List my passkeys',
  'apiref.summary.startPasskeyRegistration': 'Start adding a passkey',
  'apiref.summary.finishPasskeyRegistration': 'Add a passkey',
  'apiref.summary.renamePasskey': 'Rename a passkey',
  'apiref.summary.removePasskey': 'Remove a passkey',
  'apiref.summary.startPasskeySignIn': 'Start signing in with a passkey',
  'apiref.summary.signInWithPasskey': 'Sign in with a passkey',
  'apiref.summary.startPasskeySecondFactor': 'Start the second step with a passkey',
  'apiref.summary.finishPasskeySecondFactor': 'Finish the second step with a passkey',
} as const;
