import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface CapturedMail {
  to: string[];
  subject: string;
  text: string;
}

export interface SmtpCapture {
  url: string;
  mails: CapturedMail[];
  /** Resolves with the next mail to `to` (or one already received). */
  waitFor(to: string, ms?: number): Promise<CapturedMail>;
  /** Keeps the next mails in the middle of their DATA (a slow mail server) until the returned release is called. */
  hold(): () => void;
  /** Mails in the middle of their DATA while held. */
  readonly held: number;
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps what it receives, for sign-in tests. */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const waiters: Array<() => void> = [];
  let holding: Promise<void> | null = null;
  let held = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const gate = holding;
      if (gate) held++;
      Promise.all([simpleParser(stream), gate])
        .then(([parsed]) => {
          if (gate) held--;
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), subject: parsed.subject ?? "", text: parsed.text ?? "" });
          waiters.splice(0).forEach((w) => w());
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.server.address() as { port: number }).port));
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(to, ms = 10_000) {
      const until = Date.now() + ms;
      for (;;) {
        const found = mails.find((m) => m.to.includes(to.toLowerCase()));
        if (found) return found;
        if (Date.now() > until) throw new Error(`no mail to ${to} within ${ms} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    hold() {
      let release!: () => void;
      holding = new Promise<void>((resolve) => (release = resolve));
      return () => {
        holding = null;
        release();
      };
    },
    get held() {
      return held;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
