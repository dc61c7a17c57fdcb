/**
 * Every kind of mail Gatehouse sends, by name: the catalog keys of its subject, paragraphs
 * and action (mail.ts builds the bodies). One table in the messages layer, so whatever
 * composes mail (the server's flows, the CLI's `send-reset`) knows every kind without loading
 * the pages that send them. mail.ts checks at load that each key exists in the catalog.
 */
import type { MailKind } from './mail.ts';

export const MAIL_KINDS: Readonly<Record<string, MailKind>> = {
  'password-reset': {
    subject: 'mail.reset.subject',
    paragraphs: ['mail.reset.intro'],
    action: { label: 'mail.reset.action', link: 'reset' },
    after: ['mail.reset.after'],
  },
  'password-changed': {
    subject: 'mail.password_changed.subject',
    paragraphs: ['mail.password_changed.intro'],
    action: { label: 'mail.password_changed.action', link: 'secure' },
    after: ['mail.password_changed.after'],
  },
  'account-secured': {
    subject: 'mail.secure.subject',
    paragraphs: ['mail.secure.intro'],
    action: { label: 'mail.secure.action', link: 'reset' },
    after: ['mail.secure.after'],
  },
  'verify-email': {
    subject: 'mail.verify.subject',
    paragraphs: ['mail.verify.greeting', 'mail.verify.body'],
    action: { label: 'mail.verify.action', link: 'verify' },
    after: ['mail.verify.after'],
  },
  'email-change': {
    subject: 'mail.email_change.subject',
    paragraphs: ['mail.email_change.greeting', 'mail.email_change.body'],
    action: { label: 'mail.email_change.action', link: 'verify' },
    after: ['mail.email_change.after'],
  },
  'email-change-notice': {
    subject: 'mail.email_change.notice_subject',
    paragraphs: ['mail.email_change.greeting', 'mail.email_change.notice_body'],
    action: { label: 'mail.email_change.notice_action', link: 'secure' },
    after: ['mail.email_change.notice_after'],
  },
  'address-taken': {
    subject: 'mail.address_taken.subject',
    paragraphs: ['mail.address_taken.greeting', 'mail.address_taken.body'],
    action: { label: 'mail.address_taken.action', link: 'login' },
    after: ['mail.address_taken.after'],
  },
  'two-factor-enabled': {
    subject: 'mail.two_factor_on.subject',
    paragraphs: ['mail.two_factor_on.intro'],
    action: { label: 'mail.two_factor.action', link: 'secure' },
    after: ['mail.two_factor.after'],
  },
  'two-factor-disabled': {
    subject: 'mail.two_factor_off.subject',
    paragraphs: ['mail.two_factor_off.intro'],
    action: { label: 'mail.two_factor.action', link: 'secure' },
    after: ['mail.two_factor.after'],
  },
  'recovery-code-used': {
    subject: 'mail.recovery_used.subject',
    paragraphs: ['mail.recovery_used.intro'],
    action: { label: 'mail.two_factor.action', link: 'secure' },
    after: ['mail.two_factor.after'],
  },
  'passkey-added': {
    subject: 'mail.passkey_added.subject',
    paragraphs: ['mail.passkey_added.intro', 'mail.passkey.manage'],
    action: { label: 'mail.passkey.action', link: 'secure' },
    after: ['mail.passkey.after'],
  },
  'passkey-removed': {
    subject: 'mail.passkey_removed.subject',
    paragraphs: ['mail.passkey_removed.intro', 'mail.passkey.manage'],
    action: { label: 'mail.passkey.action', link: 'secure' },
    after: ['mail.passkey.after'],
  },
  'new-device': {
    subject: 'mail.new_device.subject',
    paragraphs: ['mail.new_device.intro', 'mail.new_device.details', 'mail.new_device.sessions'],
    action: { label: 'mail.new_device.action', link: 'secure' },
    after: ['mail.new_device.after'],
  },
};
