// The one error the loaders throw: bad input from the user (a file that is empty, truncated, not
// for ARM, or does not fit). The message is a single line naming the problem; the CLI prints it
// without a stack trace.

/** Which input a BootError is about, so the CLI can name the file. */
export type BootSubject = "kernel" | "initrd" | "firmware" | "machine";

export class BootError extends Error {
  readonly subject: BootSubject;
  constructor(message: string, subject: BootSubject = "kernel") {
    super(message);
    this.name = "BootError";
    this.subject = subject;
  }
}

export function hex32(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}
