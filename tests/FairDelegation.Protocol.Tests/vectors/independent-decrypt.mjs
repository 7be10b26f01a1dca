// An independent decryptor of the FairDelegation work-encryption format v1, written from
// docs/formats/work-encryption.md alone with Node's crypto module (no code shared with the C# implementation).
//   node independent-decrypt.mjs vectors <work-encryption.json>     checks every vector, prints "ok <n>"
//   node independent-decrypt.mjs file <privateKeyHex> <in> <out>    decrypts a file
import { createECDH, createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const hex = (s) => Buffer.from(s.replace(/^0x/, ''), 'hex');

function decrypt(sk, w) {
  if (w.length < 4 || w.subarray(0, 4).toString('latin1') !== 'FDWE') throw new Error('not an encrypted work');
  if (w.length < 122) throw new Error('truncated header');
  const header = w.subarray(0, 122);
  if (header[4] !== 1) throw new Error('unsupported version');
  const segmentSize = header.readUInt32BE(5);
  if (segmentSize < 1 || segmentSize > 2 ** 24) throw new Error('unsupported segment size');
  const ephemeralPk = header.subarray(9, 74);

  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(sk);
  const recipientPk = ecdh.getPublicKey(null, 'uncompressed'); // 65 bytes
  const shared = ecdh.computeSecret(ephemeralPk); // X coordinate, 32 bytes
  const wrapKey = Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralPk, recipientPk]),
    Buffer.from('FairDelegation/work-encryption/v1/wrap'), 32));
  const unwrap = createDecipheriv('aes-256-gcm', wrapKey, Buffer.alloc(12));
  unwrap.setAAD(header.subarray(0, 74));
  unwrap.setAuthTag(header.subarray(106, 122));
  const fileKey = Buffer.concat([unwrap.update(header.subarray(74, 106)), unwrap.final()]); // throws on a wrong key

  const payloadKey = Buffer.from(hkdfSync('sha256', fileKey, createHash('sha256').update(header).digest(),
    Buffer.from('FairDelegation/work-encryption/v1/payload'), 32));
  const out = [];
  const full = segmentSize + 16;
  for (let offset = 122, i = 0n; ; i++) {
    const piece = w.subarray(offset, offset + full);
    const last = piece.length < full || offset + full === w.length;
    if (piece.length < 16 || (last && piece.length === 16 && i > 0n)) throw new Error('truncated');
    const nonce = Buffer.alloc(12);
    nonce.writeBigUInt64BE(i, 3); // u88be(i): the top 3 bytes stay zero
    nonce[11] = last ? 1 : 0;
    const d = createDecipheriv('aes-256-gcm', payloadKey, nonce);
    d.setAuthTag(piece.subarray(piece.length - 16));
    out.push(d.update(piece.subarray(0, piece.length - 16)), d.final());
    offset += piece.length;
    if (last) break;
  }
  return Buffer.concat(out);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'vectors') {
  const doc = JSON.parse(readFileSync(args[0], 'utf8'));
  const sk = hex(doc.recipientPrivateKey);
  for (const v of doc.vectors) {
    const w = hex(v.ciphertext);
    const plain = decrypt(sk, w);
    if (!plain.equals(hex(v.plaintext))) throw new Error(`vector ${v.name}: plaintext differs`);
    if ('0x' + createHash('sha256').update(w).digest('hex') !== v.workHash) throw new Error(`vector ${v.name}: work hash differs`);
  }
  console.log(`ok ${doc.vectors.length}`);
} else if (mode === 'file') {
  writeFileSync(args[2], decrypt(hex(args[0]), readFileSync(args[1])));
  console.log('ok');
} else {
  console.error('usage: independent-decrypt.mjs vectors <json> | file <sk> <in> <out>');
  process.exit(2);
}
