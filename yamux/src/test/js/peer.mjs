// Weft's JavaScript yamux interop peer: @chainsafe/libp2p-yamux (js-libp2p's yamux, its own
// lineage and flow control) driven over a plain TCP socket, no libp2p node, no multistream-select.
// Started by io.weft.yamux.interop.JsPeer as `node peer.mjs MODE [flags]`.
//
// Exit code 0 means the scenario passed; otherwise the reason is on stderr. Server modes print
// "listening HOST:PORT" on stdout once they accept connections, then run until killed; they also
// print "goaway-received CODE" when a client's GoAway arrives. Client modes print one JSON line.
//
// Modes:
//   echo -listen ADDR          yamux server; every inbound stream is echoed until the peer's FIN, then
//                              closed (FIN). -goaway: once the first stream has ended both ways, close
//                              the muxer (the library FINs open streams, then sends GoAway(0)).
//   echo-client -addr ADDR     opens -streams N streams at once; on each writes -bytes B random bytes,
//                              half-closes, reads the echo to the end and compares SHA-256.
//   ping -addr ADDR            -count N pings, one after another; prints their round-trip times.
//   goaway-recv -addr ADDR     echoes -bytes B on stream 1 (no half-close), waits for the server's
//                              GoAway, then reports what an open and a write on stream 1 do.
//   goaway-send -addr ADDR     echoes -bytes B on stream 1 (no half-close), then closes the muxer:
//                              stream 1 gets our FIN and the server GoAway(0); waits for the server's FIN.
// Common flags: -window BYTES (maxStreamWindowSize; default 4 MiB, see below), -timeout MS (client
// scenario deadline, default 60000).
//
// Why -window defaults to 4 MiB: version 8.0.1 grants windows of up to 16 MiB by default but aborts
// (RST) a paused stream whose unread buffer passes maxReadBufferLength, 4 MiB by default. An echo
// that pauses reading while its own sends wait for window (the only bounded way to echo with this
// API) had its 256 MiB stream reset by its own library; a window no larger than the read buffer
// cannot overfill it.
//
// The socket adapter below is the only glue: libp2p hands the muxer a "multiaddr connection", a
// message stream whose sendData/sendPause/sendResume/sendClose/sendReset this file maps onto
// net.Socket, and whose onData/onRemoteCloseWrite/onTransportClosed the socket's events call.

import { createHash, randomFillSync } from 'node:crypto'
import net from 'node:net'
import process from 'node:process'

// The library calls Promise.withResolvers (Node 22); Debian's Node 18 and Node 20 lack it.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve, reject
    const promise = new this((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
const { yamux } = await import('@chainsafe/libp2p-yamux')
const { AbstractMultiaddrConnection } = await import('@libp2p/utils')

const CHUNK = 64 * 1024

function fail (message) {
  process.stderr.write(`jspeer: ${message}\n`)
  process.exit(1)
}

function silentLog () {
  const log = () => {}
  log.enabled = false
  log.trace = log
  log.error = (...args) => { if (process.env.JSPEER_DEBUG) console.error(...args) }
  log.newScope = () => silentLog()
  return log
}

/** A net.Socket as the message stream the muxer runs on. */
class SocketConnection extends AbstractMultiaddrConnection {
  constructor (socket, direction) {
    super({ log: silentLog(), direction, remoteAddr: undefined })
    this.socket = socket
    socket.setNoDelay(true)
    socket.on('data', (buf) => this.onData(buf))
    socket.on('end', () => this.onRemoteCloseWrite())
    socket.on('drain', () => this.safeDispatchEvent('drain'))
    socket.on('error', (err) => { this.socketError = err })
    socket.on('close', () => this.onTransportClosed(this.socketError))
  }

  sendData (data) {
    let canSendMore = true
    for (const buf of data) {
      canSendMore = this.socket.write(buf)
    }
    return { sentBytes: data.byteLength, canSendMore }
  }

  sendReset () { this.socket.resetAndDestroy() }
  sendPause () { this.socket.pause() }
  sendResume () { this.socket.resume() }
  async sendClose () { this.socket.end() }
}

function parseFlags (args) {
  const o = { listen: '127.0.0.1:0', addr: '', streams: 1, bytes: 1024, count: 3, window: 4 << 20, timeout: 60000, goaway: false }
  for (let i = 0; i < args.length; i++) {
    const name = args[i].replace(/^-+/, '')
    if (name === 'goaway') { o.goaway = true; continue }
    if (!(name in o)) fail(`unknown flag ${args[i]}`)
    const value = args[++i]
    o[name] = typeof o[name] === 'number' ? Number(value) : value
  }
  return o
}

function newMuxer (socket, direction, o) {
  const init = { maxInboundStreams: 1 << 16, maxOutboundStreams: 1 << 16, maxEarlyStreams: 1 << 16 }
  if (o.window > 0) {
    init.streamOptions = { maxStreamWindowSize: o.window }
  }
  const muxer = yamux(init)().createStreamMuxer(new SocketConnection(socket, direction))
  // The library has no GoAway event: observe its handler.
  const received = Promise.withResolvers()
  const handleGoAway = muxer.handleGoAway.bind(muxer)
  muxer.handleGoAway = (code) => { received.resolve(code); handleGoAway(code) }
  muxer.goAwayReceived = received.promise
  return muxer
}

function hostPort (addr) {
  const i = addr.lastIndexOf(':')
  return { host: addr.slice(0, i).replace(/[[\]]/g, ''), port: Number(addr.slice(i + 1)) }
}

async function dial (o) {
  if (!o.addr) fail('-addr is required')
  const socket = net.connect(hostPort(o.addr))
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  return newMuxer(socket, 'outbound', o)
}

function chunksOf (data) {
  return data instanceof Uint8Array ? [data] : data
}

/** Echoes a stream until the peer's FIN (pausing while our sends wait for window), then FINs. */
function echo (stream) {
  let finSeen = false
  let closing = false
  let paused = false
  const finish = () => {
    if (finSeen && !paused && !closing && stream.readBufferLength === 0) {
      closing = true
      stream.close().catch(() => {})
    }
  }
  stream.addEventListener('message', (evt) => {
    if (stream.writeStatus !== 'writable') return
    if (!stream.send(evt.data)) {
      paused = true
      stream.pause()
      stream.onDrain().then(() => {
        paused = false
        if (stream.readStatus === 'paused') stream.resume()
        queueMicrotask(finish)
      }, () => {})
    }
  })
  stream.addEventListener('remoteCloseWrite', () => {
    finSeen = true
    queueMicrotask(finish) // after any data of the same frame
  })
}

/** Resolves with {bytes, digest} once the peer's FIN arrives; rejects on reset or abort. */
function readToEnd (stream) {
  const hash = createHash('sha256')
  let bytes = 0
  return new Promise((resolve, reject) => {
    stream.addEventListener('message', (evt) => {
      for (const b of chunksOf(evt.data)) hash.update(b)
      bytes += evt.data.byteLength
    })
    stream.addEventListener('remoteCloseWrite', () => queueMicrotask(() => resolve({ bytes, digest: hash.digest('hex') })))
    stream.addEventListener('close', (evt) => {
      if (evt.error != null) reject(evt.error)
    })
  })
}

/** Reads exactly n bytes (no FIN expected); resolves with their SHA-256. */
function readExactly (stream, n) {
  const hash = createHash('sha256')
  let bytes = 0
  return new Promise((resolve, reject) => {
    const onMessage = (evt) => {
      for (const b of chunksOf(evt.data)) hash.update(b)
      bytes += evt.data.byteLength
      if (bytes >= n) {
        stream.removeEventListener('message', onMessage)
        if (bytes > n) reject(new Error(`read ${bytes} bytes, want ${n}`))
        else resolve(hash.digest('hex'))
      }
    }
    stream.addEventListener('message', onMessage)
    stream.addEventListener('close', (evt) => reject(evt.error ?? new Error(`stream closed after ${bytes} of ${n} bytes`)))
  })
}

/** Writes n random bytes with back-pressure; resolves with their SHA-256. */
async function writeRandom (stream, n) {
  const hash = createHash('sha256')
  for (let left = n; left > 0;) {
    const buf = randomFillSync(Buffer.allocUnsafe(Math.min(CHUNK, left)))
    hash.update(buf)
    left -= buf.length
    if (!stream.send(buf)) await stream.onDrain()
  }
  return hash.digest('hex')
}

async function echoRoundTrip (stream, n, halfClose) {
  const received = halfClose ? readToEnd(stream) : readExactly(stream, n)
  const sent = await writeRandom(stream, n)
  if (halfClose) await stream.close()
  const got = await received
  const digest = halfClose ? got.digest : got
  if (halfClose && got.bytes !== n) throw new Error(`stream ${stream.streamId}: echoed ${got.bytes} of ${n} bytes`)
  if (digest !== sent) throw new Error(`stream ${stream.streamId}: echo SHA-256 differs over ${n} bytes`)
}

function printJSON (value) {
  process.stdout.write(JSON.stringify(value) + '\n')
}

/** Closes the muxer (GoAway(0)), then the socket once its writes are out, and exits 0. */
async function finish (muxer) {
  await muxer.close()
  await muxer.maConn.close()
  const socket = muxer.maConn.socket
  if (!socket.destroyed) {
    await new Promise((resolve) => { socket.once('close', resolve); setTimeout(resolve, 5000).unref() })
  }
  process.exit(0)
}

// ---- modes ----

async function runEcho (o) {
  const server = net.createServer((socket) => {
    const muxer = newMuxer(socket, 'inbound', o)
    muxer.goAwayReceived.then((code) => process.stdout.write(`goaway-received ${code}\n`))
    let first = true
    muxer.addEventListener('stream', (evt) => {
      const stream = evt.detail
      echo(stream)
      if (first && o.goaway) {
        stream.addEventListener('close', () => { muxer.close().catch(() => {}) })
      }
      first = false
    })
  })
  const { host, port } = hostPort(o.listen)
  await new Promise((resolve) => server.listen(port, host, resolve))
  const a = server.address()
  process.stdout.write(`listening ${a.address}:${a.port}\n`)
}

async function runEchoClient (o) {
  const muxer = await dial(o)
  const start = Date.now()
  const runs = []
  for (let i = 0; i < o.streams; i++) {
    runs.push(muxer.createStream().then((stream) => echoRoundTrip(stream, o.bytes, true)))
  }
  await Promise.all(runs)
  printJSON({ streams: o.streams, bytesPerStream: o.bytes, verified: true, seconds: (Date.now() - start) / 1000 })
  await finish(muxer)
}

async function runPing (o) {
  const muxer = await dial(o)
  const rtts = []
  for (let i = 0; i < o.count; i++) {
    rtts.push(await muxer.ping())
  }
  printJSON({ pings: o.count, rttMillis: rtts })
  await finish(muxer)
}

async function runGoAwayRecv (o) {
  const muxer = await dial(o)
  const stream = await muxer.createStream()
  await echoRoundTrip(stream, o.bytes, false)
  const code = await muxer.goAwayReceived
  let openAfterGoAway = 'opened'
  try {
    await muxer.createStream()
  } catch (err) {
    openAfterGoAway = err.name
  }
  let writeAfterGoAway = 'sent'
  try {
    stream.send(Buffer.from('after'))
  } catch (err) {
    writeAfterGoAway = err.name
  }
  printJSON({ remoteGoAway: true, code, firstEchoVerified: true, openAfterGoAway, writeAfterGoAway, streamStatus: stream.status })
  process.exit(0)
}

async function runGoAwaySend (o) {
  const muxer = await dial(o)
  const stream = await muxer.createStream()
  await echoRoundTrip(stream, o.bytes, false)
  const serverFin = new Promise((resolve) => stream.addEventListener('remoteCloseWrite', resolve))
  await muxer.close() // FINs stream 1, then GoAway(0)
  await serverFin
  printJSON({ sentGoAway: true, existingStreamEnded: true, streamStatus: stream.status })
  process.exit(0)
}

const modes = { echo: runEcho, 'echo-client': runEchoClient, ping: runPing, 'goaway-recv': runGoAwayRecv, 'goaway-send': runGoAwaySend }
const mode = process.argv[2]
if (!(mode in modes)) fail(`usage: node peer.mjs MODE [flags]; modes: ${Object.keys(modes).join(', ')}`)
const o = parseFlags(process.argv.slice(3))
if (mode !== 'echo') {
  setTimeout(() => fail(`${mode}: scenario did not finish within ${o.timeout} ms`), o.timeout).unref()
}
modes[mode](o).catch((err) => fail(`${mode}: ${err.stack ?? err}`))
