// A disk image the user picked (a File), read in the I/O worker with FileReaderSync: the guest's
// reads are synchronous, as every BlockBackend's are. Read-only: the page puts a copy-on-write
// layer over it, so the file on the user's disk is never written.

import { BlockIoError, type BlockBackend } from "../../devices/virtio/block-backend.js";

interface FileReaderSyncLike {
  readAsArrayBuffer(blob: Blob): ArrayBuffer;
}
type FileReaderSyncCtor = new () => FileReaderSyncLike;

export class BlobBlockBackend implements BlockBackend {
  readonly readonly = true;
  readonly size: number;
  private readonly reader: FileReaderSyncLike;

  constructor(private readonly blob: Blob) {
    const ctor = (globalThis as unknown as { FileReaderSync?: FileReaderSyncCtor }).FileReaderSync;
    if (ctor === undefined) throw new Error("disk images from files need a worker (FileReaderSync)");
    this.reader = new ctor();
    this.size = blob.size;
  }

  read(pos: number, bytes: Uint8Array, off: number, len: number): void {
    let data: ArrayBuffer;
    try {
      data = this.reader.readAsArrayBuffer(this.blob.slice(pos, pos + len));
    } catch (e) {
      throw new BlockIoError(`cannot read the disk image: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (data.byteLength !== len) throw new BlockIoError(`short read of the disk image at ${pos}`);
    bytes.set(new Uint8Array(data), off);
  }

  write(): void {
    throw new BlockIoError("the picked image is read-only");
  }

  flush(): void {}

  discard(): void {
    throw new BlockIoError("the picked image is read-only");
  }

  close(): void {}
}
