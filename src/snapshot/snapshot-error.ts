// A snapshot that cannot be taken or restored: one line for the user, no stack trace.

export class SnapshotError extends Error {}
