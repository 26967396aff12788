// Uploaded safetensors files, held by this server process until an importMinimum call takes
// them (POST /tensors/uploads stores, the mutation reads): shared by the HTTP route and the API.
import { randomUUID } from 'node:crypto';
import type { NamedTensor } from '../engine';
import { InputError } from '../store/errors';

export const TENSORS_PATH = '/tensors';

/** Uploaded files wait this long for their importMinimum call. */
const UPLOAD_TTL_MS = 15 * 60 * 1000;

export interface Upload {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
  expires: number;
}

/** Uploads held by this server process until imported (or expired). */
export class UploadStore {
  private readonly uploads = new Map<string, Upload>();

  add(tensors: NamedTensor[], metadata: Record<string, string>): string {
    this.sweep();
    const id = randomUUID();
    this.uploads.set(id, { tensors, metadata, expires: Date.now() + UPLOAD_TTL_MS });
    return id;
  }

  get(id: string, field = 'uploadId'): Upload {
    this.sweep();
    const upload = this.uploads.get(id);
    if (!upload) throw new InputError(field, `no upload ${JSON.stringify(id)} (uploads expire after ${UPLOAD_TTL_MS / 60000} minutes; POST the file to ${TENSORS_PATH}/uploads first)`);
    return upload;
  }

  delete(id: string): void {
    this.uploads.delete(id);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, u] of this.uploads) if (u.expires < now) this.uploads.delete(id);
  }
}

