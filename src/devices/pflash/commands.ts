// The Intel/Sharp command set (CFI primary command set 0x0001) as the first or later bus cycle of a
// write carries it, and the status register bits (Intel's "SR.n").

export const CMD_READ_ARRAY_QEMU = 0x00; // QEMU's reset value for read array (not in the CFI set)
export const CMD_PROGRAM_ALT = 0x10;
export const CMD_BLOCK_ERASE = 0x20;
export const CMD_PROGRAM = 0x40;
export const CMD_CLEAR_STATUS = 0x50;
export const CMD_LOCK_SETUP = 0x60;
export const CMD_READ_STATUS = 0x70;
export const CMD_READ_ID = 0x90;
export const CMD_CFI_QUERY = 0x98;
export const CMD_CONFIRM = 0xd0;
export const CMD_WRITE_TO_BUFFER = 0xe8;
export const CMD_AMD_RESET = 0xf0; // AMD's reset: probes send it to any flash
export const CMD_READ_ARRAY = 0xff;
/** Second cycles of CMD_LOCK_SETUP: set lock, lock down (CMD_CONFIRM clears the locks). */
export const CMD_LOCK_BLOCK = 0x01;
export const CMD_LOCK_DOWN = 0x2f;

/** SR.7: the write state machine is ready. */
export const SR_READY = 0x80;
/** SR.5: erase (or clear-lock) error; with SR.4, an improper command sequence. */
export const SR_ERASE_ERROR = 0x20;
/** SR.4: program (or set-lock) error. */
export const SR_PROGRAM_ERROR = 0x10;
export const SR_SEQUENCE_ERROR = SR_ERASE_ERROR | SR_PROGRAM_ERROR;
