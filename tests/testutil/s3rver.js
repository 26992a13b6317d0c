#!/usr/bin/env node
// A private s3rver (npm `s3rver`, installed under tests/peers by `scripts/bootstrap --test`)
// for tests: S3 on 127.0.0.1 only, data in a directory of the test's, buckets created up front.
//
//   node tests/testutil/s3rver.js --dir DIR [--port 0] [--bucket NAME]... [--no-verify-sigv4]
//
// Prints `READY <port>` on stdout once listening (port 0 = any free port), then serves until
// SIGTERM/SIGINT. Credentials: access key `S3RVER`, secret `S3RVER` (s3rver's own account).
//
// What this adds to s3rver 3.7.1, which a real S3 does and s3rver does not:
// - SigV4 verification. s3rver accepts any V4 signature from a known key; here the request's
//   canonical form is rebuilt from the bytes received (AWS's algorithm, the path and query
//   decoded and re-encoded) and the signature must match, so a client that signs wrongly
//   fails as it would on AWS (403 SignatureDoesNotMatch). The x-amz-content-sha256 header is
//   required, as S3 requires it; its value is not checked against the body.
// - Conditional writes: `If-None-Match: *` on PutObject and CompleteMultipartUpload gives 412
//   PreconditionFailed when the key exists, as AWS S3 (since 2024-08) and MinIO do. Such
//   writes to one key are serialized, so of racing ones exactly one succeeds.
// - ListObjects in UTF-8 byte order of keys, as S3 lists (s3rver returns the order of its
//   directory walk, so `a/b/x` came before `a/b-c`), and continuation tokens that work on
//   Node 17+ (s3rver encrypts them with DES, which OpenSSL 3 no longer offers: every
//   truncated listing was a 500). The tokens stay opaque to clients.
// - Fault injection for retry tests: `POST /__pinpipe/fail?count=N&status=503&code=SlowDown`
//   makes the next N requests fail with that S3 error; `mode=reset` instead drops their
//   connections without a reply. Unsigned; only on this test server.
'use strict';

const crypto = require('crypto');
const path = require('path');

const peers = path.join(__dirname, '..', 'peers', 'node_modules');
let S3rver;
let S3Error;
let AWSAccount;
let FilesystemStore;
try {
  S3rver = require(path.join(peers, 's3rver'));
  S3Error = require(path.join(peers, 's3rver', 'lib', 'models', 'error'));
  AWSAccount = require(path.join(peers, 's3rver', 'lib', 'models', 'account'));
  FilesystemStore = require(path.join(peers, 's3rver', 'lib', 'stores', 'filesystem'));
} catch (err) {
  process.stderr.write(
    `s3rver is not installed under ${peers}: run scripts/bootstrap --test (${err.message})\n`);
  process.exit(3);
}

// s3rver's continuation tokens use DES (gone from OpenSSL 3): let 'des' be the identity, so
// a token is base64(iv + "region/bucket/key") and still round-trips.
const identity = { update: (data, enc) => Buffer.from(data, enc), final: () => Buffer.alloc(0) };
for (const name of ['createCipheriv', 'createDecipheriv']) {
  const real = crypto[name];
  crypto[name] = function (algorithm, ...rest) {
    return algorithm === 'des' ? identity : real.call(this, algorithm, ...rest);
  };
}

// List in byte order of keys: ask s3rver for everything under the prefix, then sort, skip
// to startAfter and cut at maxKeys here.
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const listObjects = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function (bucket, options) {
  const { startAfter = '', maxKeys = Infinity } = options;
  const all = await listObjects.call(this, bucket, { ...options, startAfter: '', maxKeys: Infinity });
  const objects = all.objects
    .filter(o => !startAfter || byteOrder(o.key, startAfter) > 0)
    .sort((a, b) => byteOrder(a.key, b.key));
  return {
    objects: objects.slice(0, maxKeys),
    commonPrefixes: all.commonPrefixes,
    isTruncated: objects.length > maxKeys,
  };
};

function parseArgs(argv) {
  const opts = { port: 0, dir: '', buckets: [], verify: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') opts.port = Number(argv[++i]);
    else if (a === '--dir') opts.dir = argv[++i];
    else if (a === '--bucket') opts.buckets.push(argv[++i]);
    else if (a === '--no-verify-sigv4') opts.verify = false;
    else {
      process.stderr.write(`s3rver.js: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  if (!opts.dir) {
    process.stderr.write('s3rver.js: --dir is required\n');
    process.exit(2);
  }
  return opts;
}

// AWS's URI encoding: everything but A-Z a-z 0-9 - _ . ~ as %XX (uppercase).
function uriEncode(s) {
  return Array.from(Buffer.from(s, 'utf8'))
    .map(b => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
    })
    .join('');
}

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch (e) {
    return s;
  }
}

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
const sha256 = data => crypto.createHash('sha256').update(data).digest('hex');

function signatureError(message, detail) {
  return new S3Error('SignatureDoesNotMatch', message, detail);
}

function verifySigV4(ctx) {
  const auth = ctx.get('authorization');
  if (!auth.startsWith('AWS4-HMAC-SHA256')) return;  // anonymous or V2: s3rver decides
  const fields = {};
  for (const part of auth.slice('AWS4-HMAC-SHA256'.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const [accessKey, date, region, service, terminator] = (fields.Credential || '').split('/');
  const account = AWSAccount.registry.get(accessKey);
  if (!account) return;  // s3rver answers InvalidAccessKeyId
  const secret = account.accessKeys.get(accessKey);
  const signed = (fields.SignedHeaders || '').split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!signed.includes(required)) {
      throw new S3Error('AccessDenied', `header '${required}' must be signed`);
    }
  }
  const payloadHash = ctx.get('x-amz-content-sha256');
  if (!payloadHash) {
    throw new S3Error('InvalidRequest',
                      'Missing required header for this request: x-amz-content-sha256');
  }
  const raw = ctx.req.url;
  const q = raw.indexOf('?');
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  const rawQuery = q < 0 ? '' : raw.slice(q + 1);
  const canonicalUri = rawPath.split('/').map(seg => uriEncode(safeDecode(seg))).join('/');
  const canonicalQuery = rawQuery
    .split('&')
    .filter(p => p.length > 0)
    .map(p => {
      const eq = p.indexOf('=');
      const k = eq < 0 ? p : p.slice(0, eq);
      const v = eq < 0 ? '' : p.slice(eq + 1);
      return [uriEncode(safeDecode(k)), uriEncode(safeDecode(v))];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signed
    .map(h => `${h}:${String(ctx.req.headers[h] || '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [ctx.method, canonicalUri, canonicalQuery, canonicalHeaders,
                            signed.join(';'), payloadHash].join('\n');
  const amzDate = ctx.get('x-amz-date');
  const scope = [date, region, service, terminator].join('/');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac('AWS4' + secret, date), region), service), terminator);
  const expected = hmac(key, stringToSign).toString('hex');
  if (expected !== fields.Signature) {
    throw signatureError(
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your key and signing method.',
      { CanonicalRequest: canonicalRequest, StringToSign: stringToSign });
  }
}

// Bucket and key of a path-style request path (after s3rver's vhost rewrite).
function bucketAndKey(ctxPath) {
  const parts = ctxPath.split('/');
  return { bucket: safeDecode(parts[1] || ''), key: safeDecode(parts.slice(2).join('/')) };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port,
    directory: opts.dir,
    silent: true,
    configureBuckets: opts.buckets.map(name => ({ name })),
  });

  let failures = { count: 0, status: 503, code: 'SlowDown', mode: 'error' };
  const front = async (ctx, next) => {
    if (ctx.path === '/__pinpipe/fail') {
      failures = {
        count: Number(ctx.query.count || 1),
        status: Number(ctx.query.status || 503),
        code: ctx.query.code || 'SlowDown',
        mode: ctx.query.mode || 'error',
      };
      ctx.status = 204;
      return;
    }
    if (failures.count > 0) {
      failures.count--;
      if (failures.mode === 'reset') {
        ctx.req.socket.destroy();
        return;
      }
      const err = new S3Error(failures.code, 'injected by the test server');
      err.status = failures.status;
      throw err;
    }
    if (opts.verify) verifySigV4(ctx);
    return next();
  };

  const tails = new Map();  // bucket/key -> the last conditional write's promise
  const conditional = async (ctx, next) => {
    const isPut = ctx.method === 'PUT' && !('partNumber' in ctx.query) &&
                  !ctx.get('x-amz-copy-source');
    const isComplete = ctx.method === 'POST' && 'uploadId' in ctx.query;
    if (ctx.get('if-none-match') !== '*' || !(isPut || isComplete)) return next();
    const { bucket, key } = bucketAndKey(ctx.path);
    const id = `${bucket}/${key}`;
    const before = tails.get(id) || Promise.resolve();
    let release;
    const mine = new Promise(resolve => (release = resolve));
    const tail = before.then(() => mine);
    tails.set(id, tail);
    await before;
    try {
      if (await ctx.app.store.existsObject(bucket, key)) {
        throw new S3Error('PreconditionFailed',
                          'At least one of the pre-conditions you specified did not hold',
                          { Condition: 'If-None-Match' });
      }
      await next();
    } finally {
      release();
      if (tails.get(id) === tail) tails.delete(id);
    }
  };

  // Ours run after s3rver's logging, XML and vhost middleware, before its router.
  const routerIndex = server.middleware.length - 1;
  server.middleware.splice(routerIndex, 0, front, conditional);

  server.run().then(
    addr => process.stdout.write(`READY ${addr.port}\n`),
    err => {
      process.stderr.write(`s3rver failed to start: ${err.stack || err}\n`);
      process.exit(1);
    });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
