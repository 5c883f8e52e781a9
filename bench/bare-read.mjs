/**
 * The baseline of `bench:scale`: the least a JSONL checker must do. Reads a file in 1 MiB chunks,
 * splits lines and JSON.parses every one, nothing else. End-to-end times are ratios to this.
 */
import { Buffer } from 'node:buffer';
import { openSync, readSync, closeSync } from 'node:fs';
import process from 'node:process';

const fd = openSync(process.argv[2], 'r');
let buf = Buffer.allocUnsafe(1 << 20);
let filled = 0;
let lines = 0;
let sink = 0;
for (;;) {
  if (filled === buf.length) {
    const bigger = Buffer.allocUnsafe(buf.length * 2);
    buf.copy(bigger, 0, 0, filled);
    buf = bigger;
  }
  const n = readSync(fd, buf, filled, buf.length - filled, null);
  if (n === 0) break;
  const end = filled + n;
  let pos = 0;
  for (;;) {
    const nl = buf.indexOf(10, pos);
    if (nl < 0 || nl >= end) break;
    if (nl > pos) {
      const o = JSON.parse(buf.toString('utf8', pos, nl));
      sink += o.index & 1;
      lines++;
    }
    pos = nl + 1;
  }
  buf.copy(buf, 0, pos, end);
  filled = end - pos;
}
closeSync(fd);
process.stdout.write(`${lines} ${sink}\n`);
