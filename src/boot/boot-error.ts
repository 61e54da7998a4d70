// The one error the loaders throw: bad input from the user (a file that is empty, truncated, not
// for ARM, or does not fit). The message is a single line naming the problem; the CLI prints it
// without a stack trace.

export class BootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BootError";
  }
}

export function hex32(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}
