// Files the media tests upload, built in memory: PNGs of any size (or only a header that
// declares one: a decompression bomb), and multipart/form-data bodies as browsers send them.
import { randomBytes } from 'node:crypto';
import { deflateSync, crc32 } from 'node:zlib';

/**
 * A valid PNG of w×h pixels: grey, or a gradient when gradient is set (a real picture for
 * the eye). With bomb, the header declares w×h but the data is a tiny run of zeros.
 */
export function png(w, h, { bomb = false, gradient = false } = {}) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  let rows;
  if (bomb) rows = Buffer.alloc(1024);
  else {
    rows = Buffer.alloc(h * (1 + w * 3), 0x80);
    for (let y = 0; y < h; y += 1) {
      const at = y * (1 + w * 3);
      rows[at] = 0; // filter: none
      if (gradient) {
        for (let x = 0; x < w; x += 1) {
          rows[at + 1 + x * 3] = (x * 255) / w;
          rows[at + 2 + x * 3] = (y * 255) / h;
          rows[at + 3 + x * 3] = 160;
        }
      }
    }
  }
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0))]);
}

/** A multipart/form-data body from [{name, value} | {name, filename, type, data}]: {body, type}. */
export function multipart(parts) {
  const boundary = `----parley${randomBytes(8).toString('hex')}`;
  const bufs = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"\r\nContent-Type: ${p.type || 'application/octet-stream'}`;
    bufs.push(Buffer.from(`${head}\r\n\r\n`), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.value ?? p.data ?? ''), Buffer.from('\r\n'));
  }
  bufs.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(bufs), type: `multipart/form-data; boundary=${boundary}` };
}

/**
 * n random bytes (n ≥ 8) that every sniffer calls application/octet-stream: random bytes
 * alone start like an MP3 frame about once in 4,000, and the file would be kind "audio".
 */
export function noise(n) {
  const b = randomBytes(n);
  b.write('\0PARLEY\0', 0, 'latin1');
  return b;
}
