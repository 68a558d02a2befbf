import nodemailer from "nodemailer";
import type { Logger } from "../log";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Inline images (`cid:` in the html), e.g. the participant's pass QR code. */
  attachments?: Array<{ filename: string; content: Buffer; contentType: string; cid: string }>;
}

export interface StoredMail extends Mail {
  id: number;
  at: string;
}

export interface Mailer {
  /** True when mail actually leaves (SMTP) or lands in the demo mailbox. */
  readonly available: boolean;
  send(mail: Mail): Promise<void>;
  /** Demo mode without SMTP: the mails sent, newest first. */
  mailbox(): StoredMail[];
}

/**
 * SMTP through SMTP_URL; in demo mode without SMTP, mails land in an in-process mailbox
 * (/dev/mailbox; the log says only that one arrived). Outside demo mode without SMTP, there is no e-mail sign-in.
 */
export function createMailer(opts: { smtpUrl?: string; from: string; demo: boolean; log: Logger }): Mailer {
  const box: StoredMail[] = [];
  let nextId = 1;
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl);
    return {
      available: true,
      async send(mail) {
        await transport.sendMail({ from: opts.from, ...mail });
      },
      mailbox: () => [],
    };
  }
  return {
    available: opts.demo,
    async send(mail) {
      if (!opts.demo) throw new Error("no SMTP_URL configured");
      box.unshift({ ...mail, id: nextId++, at: new Date().toISOString() });
      box.splice(50);
      // The mail (recipient, link) is on /dev/mailbox; the log says only that one arrived.
      opts.log.info("demo mail: open /dev/mailbox to read it", { mailId: box[0].id });
    },
    mailbox: () => [...box],
  };
}
