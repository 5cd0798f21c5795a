// Command weftpeer is Weft's Go test peer: hashicorp/yamux (the Debian 2019 snapshot, built in
// GOPATH mode) in the roles Weft's interop tests, CLI tests and benchmarks need. It is started as
// a subprocess by io.weft.yamux.interop.GoPeer. The same source is also built against Debian's
// influxdata/yamux fork (a 2017 snapshot): GoPeer puts the fork at the import path
// github.com/hashicorp/yamux of a private GOPATH, so this file must only use API both have.
//
// Usage: weftpeer MODE [flags] [args]. Exit code 0 means the scenario passed; otherwise the reason
// is printed on stderr. Server modes print "listening HOST:PORT" on stdout (stderr for stdio -l)
// once they accept connections, then run until killed.
//
// Modes:
//
//	echo -listen ADDR            yamux server; every accepted stream is echoed until EOF, then closed.
//	                             -no-accept: never accept streams (the backlog fills, later SYNs get RST).
//	                             -goaway: send GoAway(0) after the first accepted stream, keep echoing it.
//	echo-client -addr ADDR       opens -streams N streams at once, writes -bytes B seeded bytes on each,
//	                             reads the echo back and compares SHA-256, then closes each stream.
//	ping -addr ADDR              -count N pings; prints one JSON line with the RTTs. -concurrent: all N
//	                             at once, each on its own goroutine (every one must get its reply).
//	goaway-recv -addr ADDR       expects the server to send GoAway(0) after accepting stream 1: the echo on
//	                             stream 1 keeps working, later opens fail with ErrRemoteGoAway.
//	goaway-send -addr ADDR       sends GoAway(0) after a first echo of -bytes on stream 1, then echoes -bytes
//	                             more and waits for the server's FIN (the server half-closes once it has
//	                             checked that its own opens now fail).
//	backlog -addr ADDR           opens -streams N streams to a server that accepts none; expects at least
//	                             -expect-reset K of them to be reset; prints {"reset":R,"open":O}.
//	halfclose-client -addr ADDR  the server must echo -bytes B then half-close (FIN) while still reading: the
//	                             peer reads B bytes + EOF, then writes B more bytes and closes.
//	close-then-read -addr ADDR   writes -bytes B then Close(); the server reads to EOF and replies. Prints
//	                             what a Read after its own Close returns: Debian's 2019 yamux reports EOF as soon
//	                             as nothing is buffered (it cannot read after its own Close), so this mode
//	                             documents that limitation instead of depending on the reply.
//	stdio -l [HOST] PORT         nwtgck/yamux-cli semantics: yamux client over stdin/stdout; each TCP
//	                             connection accepted on HOST:PORT opens a stream and is copied both ways.
//	stdio HOST PORT              yamux server over stdin/stdout; each accepted stream dials HOST:PORT.
//	                             Both use DefaultConfig and copy with 4 KiB buffers, closing both ends once
//	                             both directions ended, as yamux-cli does. Differences: a failed dial closes
//	                             the stream (yamux-cli leaks it), and -l exits when the session ends.
//	bench-server -listen ADDR    the first byte of a stream picks the workload: 'B' bulk (8-byte big-endian
//	                             length L, then L bytes; answered by one byte 'K'), 'R' echo (request/response).
//	bench-client -addr ADDR      -mode bulk|rr; bulk writes -bytes in -chunk writes (64 KiB); rr does
//	                             -size byte round trips for -duration. Prints one JSON line.
//	                             -raw on both bench modes skips yamux (plain TCP baseline).
//	tls-probe -addr ADDR         only a TLS handshake (TLS is implied): prints one JSON line with the
//	                             version, cipher suite and peer chain length, or exits 1 with Go's error
//	                             text on stderr (wrong CA, hostname mismatch, refused client certificate).
//	                             -yamux-ping then also round-trips one yamux ping over the connection:
//	                             in TLS 1.3 a server judges the client's certificate only after the
//	                             client's handshake has finished, so a refusal arrives on the first read.
//
// TLS (every mode but stdio): -tls-cert FILE -tls-key FILE (own PEM chain and key; the key defaults
// to the cert file), -tls-ca FILE (PEM bundle that verifies the peer instead of the system roots; on
// a server it also requires and verifies client certificates), -tls-server-name NAME (default: the
// host of -addr), -tls-max 1.2|1.3 (highest version; the lowest is always TLS 1.2), -tls (TLS with
// just these flags, e.g. system roots). Any of them turns TLS on: servers wrap their listener with
// crypto/tls, clients handshake right after dialing. A server logs failed handshakes on stderr and
// keeps serving; -v also prints the negotiated version and cipher suite of every handshake on stderr.
//
// Common flags: -window BYTES (MaxStreamWindowSize, default 256 KiB), -backlog N (AcceptBacklog,
// default 256), -keepalive DURATION (0 = off, default 30s), -timeout DURATION (client scenario
// deadline, default 60s).
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"math/rand"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/yamux"
)

type options struct {
	listen      string
	addr        string
	streams     int
	bytes       int64
	count       int
	window      uint
	backlog     int
	keepalive   time.Duration
	timeout     time.Duration
	noAccept    bool
	goAway      bool
	expectReset int
	mode        string
	chunk       int
	size        int
	duration    time.Duration
	raw         bool
	verbose     bool
	stdioListen bool
	concurrent  bool

	tls           bool
	tlsCert       string
	tlsKey        string
	tlsCA         string
	tlsServerName string
	tlsMax        string
	yamuxPing     bool
}

// tlsEnabled reports whether any TLS flag was given.
func (o options) tlsEnabled() bool {
	return o.tls || o.tlsCert != "" || o.tlsKey != "" || o.tlsCA != "" || o.tlsServerName != "" || o.tlsMax != ""
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: weftpeer MODE [flags]; see the source header for modes")
	}
	mode := os.Args[1]
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	o := options{}
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "listen address (server modes)")
	fs.StringVar(&o.addr, "addr", "", "server address (client modes)")
	fs.IntVar(&o.streams, "streams", 1, "number of streams")
	fs.Int64Var(&o.bytes, "bytes", 1024, "bytes per stream")
	fs.IntVar(&o.count, "count", 3, "number of pings")
	fs.UintVar(&o.window, "window", 256*1024, "MaxStreamWindowSize in bytes")
	fs.IntVar(&o.backlog, "backlog", 256, "AcceptBacklog")
	fs.DurationVar(&o.keepalive, "keepalive", 30*time.Second, "keepalive interval, 0 = off")
	fs.DurationVar(&o.timeout, "timeout", 60*time.Second, "overall deadline of a client scenario")
	fs.BoolVar(&o.noAccept, "no-accept", false, "echo: never accept streams")
	fs.BoolVar(&o.goAway, "goaway", false, "echo: send GoAway after the first accepted stream")
	fs.BoolVar(&o.concurrent, "concurrent", false, "ping: send all -count pings at once")
	fs.IntVar(&o.expectReset, "expect-reset", 1, "backlog: minimum number of reset streams")
	fs.StringVar(&o.mode, "mode", "bulk", "bench-client: bulk or rr")
	fs.IntVar(&o.chunk, "chunk", 64*1024, "bench-client bulk: write size")
	fs.IntVar(&o.size, "size", 64, "bench-client rr: request and response size")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "bench-client rr: run time")
	fs.BoolVar(&o.raw, "raw", false, "bench modes: plain TCP, no yamux")
	fs.BoolVar(&o.verbose, "v", false, "yamux log output on stderr")
	fs.BoolVar(&o.stdioListen, "l", false, "stdio: listen on TCP (yamux client role)")
	fs.BoolVar(&o.tls, "tls", false, "use TLS (implied by every other -tls flag)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "TLS: own certificate chain (PEM)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "TLS: own private key (PEM; default: the -tls-cert file)")
	fs.StringVar(&o.tlsCA, "tls-ca", "", "TLS: CA bundle (PEM) verifying the peer; servers then require client certificates")
	fs.StringVar(&o.tlsServerName, "tls-server-name", "", "TLS client: expected server name (default: host of -addr)")
	fs.StringVar(&o.tlsMax, "tls-max", "", "TLS: highest version, 1.2 or 1.3 (default: Go's)")
	fs.BoolVar(&o.yamuxPing, "yamux-ping", false, "tls-probe: also round-trip one yamux ping after the handshake")
	fs.Parse(os.Args[2:])

	if o.timeout > 0 && mode != "echo" && mode != "bench-server" && mode != "stdio" {
		time.AfterFunc(o.timeout, func() { fail("%s: scenario did not finish within %v", mode, o.timeout) })
	}
	var err error
	switch mode {
	case "echo":
		err = runEcho(o)
	case "echo-client":
		err = runEchoClient(o)
	case "ping":
		err = runPing(o)
	case "goaway-recv":
		err = runGoAwayRecv(o)
	case "goaway-send":
		err = runGoAwaySend(o)
	case "backlog":
		err = runBacklog(o)
	case "halfclose-client":
		err = runHalfCloseClient(o)
	case "close-then-read":
		err = runCloseThenRead(o)
	case "stdio":
		if o.tlsEnabled() {
			fail("stdio: TLS flags are not supported in stdio mode")
		}
		err = runStdio(o, fs.Args())
	case "bench-server":
		err = runBenchServer(o)
	case "bench-client":
		err = runBenchClient(o)
	case "tls-probe":
		o.tls = true
		err = runTLSProbe(o)
	default:
		fail("unknown mode %q", mode)
	}
	if err != nil {
		fail("%s: %v", mode, err)
	}
}

// closeChan is Session.CloseChan where the library has it (hashicorp since 2018); the influxdata
// fork (a 2017 snapshot, built from the same source by aliasing its import path) lacks it, so
// there a goroutine watches IsClosed.
func closeChan(sess *yamux.Session) <-chan struct{} {
	if c, ok := interface{}(sess).(interface{ CloseChan() <-chan struct{} }); ok {
		return c.CloseChan()
	}
	done := make(chan struct{})
	go func() {
		for !sess.IsClosed() {
			time.Sleep(5 * time.Millisecond)
		}
		close(done)
	}()
	return done
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "weftpeer: "+format+"\n", args...)
	os.Exit(1)
}

func config(o options) *yamux.Config {
	c := yamux.DefaultConfig()
	c.MaxStreamWindowSize = uint32(o.window)
	c.AcceptBacklog = o.backlog
	if o.keepalive > 0 {
		c.KeepAliveInterval = o.keepalive
	} else {
		c.EnableKeepAlive = false
	}
	if !o.verbose {
		c.LogOutput = ioutil.Discard
	}
	return c
}

func printJSON(v interface{}) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func announce(w io.Writer, ln net.Listener) {
	fmt.Fprintf(w, "listening %s\n", ln.Addr().String())
	if f, ok := w.(*os.File); ok {
		f.Sync()
	}
}

// ---- server modes ----

func runEcho(o options) error {
	ln, err := listen(o)
	if err != nil {
		return err
	}
	announce(os.Stdout, ln)
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		go serveEcho(o, conn)
	}
}

func serveEcho(o options, conn net.Conn) {
	if conn = serverHandshake(o, conn); conn == nil {
		return
	}
	sess, err := yamux.Server(conn, config(o))
	if err != nil {
		conn.Close()
		return
	}
	defer sess.Close()
	if o.noAccept {
		<-closeChan(sess)
		return
	}
	first := true
	for {
		st, err := sess.AcceptStream()
		if err != nil {
			return
		}
		go func() {
			io.Copy(st, st)
			st.Close()
		}()
		if first && o.goAway {
			sess.GoAway()
		}
		first = false
	}
}

// ---- client scenarios ----

func dialSession(o options) (*yamux.Session, error) {
	conn, err := dial(o)
	if err != nil {
		return nil, err
	}
	return yamux.Client(conn, config(o))
}

// payload is a deterministic byte source for stream i, so both ends can check it.
func payload(i int) io.Reader {
	return rand.New(rand.NewSource(int64(i) + 1))
}

func echoRoundTrip(st io.ReadWriter, seed int, n int64) error {
	sum := sha256.New()
	errc := make(chan error, 1)
	go func() {
		_, err := io.Copy(st, io.TeeReader(io.LimitReader(payload(seed), n), sum))
		errc <- err
	}()
	back := sha256.New()
	got, err := io.CopyN(back, st, n)
	if err != nil {
		return fmt.Errorf("read %d of %d echoed bytes: %v", got, n, err)
	}
	if err := <-errc; err != nil {
		return fmt.Errorf("write: %v", err)
	}
	if !bytes.Equal(sum.Sum(nil), back.Sum(nil)) {
		return fmt.Errorf("echo checksum mismatch over %d bytes", n)
	}
	return nil
}

func runEchoClient(o options) error {
	sess, err := dialSession(o)
	if err != nil {
		return err
	}
	defer sess.Close()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, o.streams)
	for i := 0; i < o.streams; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			st, err := sess.OpenStream()
			if err != nil {
				errs <- fmt.Errorf("stream %d open: %v", i, err)
				return
			}
			defer st.Close()
			if err := echoRoundTrip(st, i, o.bytes); err != nil {
				errs <- fmt.Errorf("stream %d (id %d): %v", i, st.StreamID(), err)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	// Each stream is closed on our side; it leaves the session when the peer's FIN arrives. Wait
	// for that before closing the session, so the peer's echo handlers see EOF rather than a
	// connection reset by our exit (this hashicorp closes the connection without flushing).
	for deadline := time.Now().Add(10 * time.Second); sess.NumStreams() > 0; {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d streams still open 10s after the last echo: the peer never closed them", sess.NumStreams())
		}
		time.Sleep(time.Millisecond)
	}
	secs := time.Since(start).Seconds()
	printJSON(map[string]interface{}{"streams": o.streams, "bytesPerStream": o.bytes, "verified": true,
		"seconds": secs, "tls": o.tlsEnabled()})
	return nil
}

// runConcurrentPings sends n pings at once; each must get its reply (hashicorp's Ping waits at most
// ConnectionWriteTimeout, 10 s, so a dropped reply is an error).
func runConcurrentPings(sess *yamux.Session, n int) error {
	var wg sync.WaitGroup
	var failed int32
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := sess.Ping(); err != nil {
				atomic.AddInt32(&failed, 1)
				errs <- fmt.Errorf("ping %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	if failed > 0 {
		return fmt.Errorf("%d of %d concurrent pings failed, first: %v", failed, n, <-errs)
	}
	printJSON(map[string]interface{}{"pings": n, "concurrent": true})
	return nil
}

func runPing(o options) error {
	sess, err := dialSession(o)
	if err != nil {
		return err
	}
	defer sess.Close()
	if o.concurrent {
		return runConcurrentPings(sess, o.count)
	}
	var rtts []int64
	for i := 0; i < o.count; i++ {
		rtt, err := sess.Ping()
		if err != nil {
			return fmt.Errorf("ping %d: %v", i, err)
		}
		rtts = append(rtts, rtt.Nanoseconds())
	}
	printJSON(map[string]interface{}{"pings": o.count, "rttNanos": rtts})
	return nil
}

func runGoAwayRecv(o options) error {
	sess, err := dialSession(o)
	if err != nil {
		return err
	}
	defer sess.Close()
	st, err := sess.OpenStream()
	if err != nil {
		return err
	}
	if err := echoRoundTrip(st, 1, o.bytes); err != nil {
		return fmt.Errorf("echo before GoAway: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	refused := false
	for !refused && time.Now().Before(deadline) {
		extra, err := sess.OpenStream()
		if err == yamux.ErrRemoteGoAway {
			refused = true
			break
		}
		if err != nil {
			return fmt.Errorf("open after GoAway: want ErrRemoteGoAway, got %v", err)
		}
		extra.Close()
		time.Sleep(5 * time.Millisecond) // polling for the GoAway frame; no signal exists in yamux
	}
	if !refused {
		return errors.New("no GoAway received: opens still succeed after 10s")
	}
	if err := echoRoundTrip(st, 2, o.bytes); err != nil {
		return fmt.Errorf("echo on existing stream after GoAway: %v", err)
	}
	st.Close()
	printJSON(map[string]interface{}{"remoteGoAway": true, "existingStreamWorked": true})
	return nil
}

func runGoAwaySend(o options) error {
	sess, err := dialSession(o)
	if err != nil {
		return err
	}
	defer sess.Close()
	st, err := sess.OpenStream()
	if err != nil {
		return err
	}
	if err := echoRoundTrip(st, 1, o.bytes); err != nil {
		return fmt.Errorf("echo before GoAway: %v", err)
	}
	if err := sess.GoAway(); err != nil {
		return fmt.Errorf("GoAway: %v", err)
	}
	if err := echoRoundTrip(st, 2, o.bytes); err != nil {
		return fmt.Errorf("echo on existing stream after GoAway: %v", err)
	}
	// The server half-closes once it has seen its own opens refused; only then may we end the
	// session (closing earlier would turn its GoAway check into a session-closed error).
	st.SetReadDeadline(time.Now().Add(30 * time.Second))
	if n, err := st.Read(make([]byte, 1)); err != io.EOF {
		return fmt.Errorf("want EOF from the server after the second echo, got n=%d err=%v", n, err)
	}
	st.Close()
	printJSON(map[string]interface{}{"sentGoAway": true, "existingStreamWorked": true})
	return nil
}

func runBacklog(o options) error {
	sess, err := dialSession(o)
	if err != nil {
		return err
	}
	defer sess.Close()
	var reset, open int32
	var wg sync.WaitGroup
	for i := 0; i < o.streams; i++ {
		st, err := sess.OpenStream()
		if err != nil {
			return fmt.Errorf("open %d: %v", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.SetReadDeadline(time.Now().Add(3 * time.Second))
			_, err := st.Read(make([]byte, 1))
			switch err {
			case yamux.ErrConnectionReset:
				atomic.AddInt32(&reset, 1)
			case yamux.ErrTimeout:
				atomic.AddInt32(&open, 1)
			}
		}()
	}
	wg.Wait()
	printJSON(map[string]interface{}{"reset": reset, "open": open})
	if int(reset) < o.expectReset {
		return fmt.Errorf("%d streams reset, want at least %d (%d still open)", reset, o.expectReset, open)
	}
	return nil
}

func runHalfCloseClient(o options) error {
	sess, err := dialSession(o)
	if err != nil {
		return err
	}
	defer sess.Close()
	st, err := sess.OpenStream()
	if err != nil {
		return err
	}
	if err := echoRoundTrip(st, 1, o.bytes); err != nil {
		return fmt.Errorf("echo: %v", err)
	}
	st.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := st.Read(make([]byte, 1))
	if err != io.EOF {
		return fmt.Errorf("after the echo want EOF from the server's half-close, got n=%d err=%v", n, err)
	}
	// The server only closed its write side: it must still read what we send now.
	if _, err := io.Copy(st, io.LimitReader(payload(2), o.bytes)); err != nil {
		return fmt.Errorf("write after the server's half-close: %v", err)
	}
	st.Close()
	// Wait until the server has read everything: it closes the session when done.
	select {
	case <-closeChan(sess):
	case <-time.After(10 * time.Second):
		return errors.New("server did not close the session after reading our data")
	}
	printJSON(map[string]interface{}{"halfClose": true, "bytes": o.bytes})
	return nil
}

func runCloseThenRead(o options) error {
	sess, err := dialSession(o)
	if err != nil {
		return err
	}
	defer sess.Close()
	st, err := sess.OpenStream()
	if err != nil {
		return err
	}
	if _, err := io.Copy(st, io.LimitReader(payload(1), o.bytes)); err != nil {
		return fmt.Errorf("write: %v", err)
	}
	st.Close()
	st.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := ioutil.ReadAll(st)
	errText := "EOF"
	if err != nil {
		errText = err.Error()
	}
	printJSON(map[string]interface{}{"sent": o.bytes, "readAfterOwnClose": len(got), "readError": errText})
	select {
	case <-closeChan(sess):
	case <-time.After(10 * time.Second):
		return errors.New("server did not close the session after reading our data")
	}
	return nil
}

// ---- stdio (nwtgck/yamux-cli semantics) ----

type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error {
	os.Stdin.Close()
	return os.Stdout.Close()
}

func runStdio(o options, args []string) error {
	listenMode := o.stdioListen
	pipe := stdio{os.Stdin, os.Stdout}
	if listenMode {
		var host, port string
		switch len(args) {
		case 1:
			port = args[0]
		case 2:
			host, port = args[0], args[1]
		default:
			return errors.New("usage: stdio -l [HOST] PORT")
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
		if err != nil {
			return err
		}
		sess, err := yamux.Client(pipe, stdioConfig())
		if err != nil {
			return err
		}
		announce(os.Stderr, ln)
		go func() {
			<-closeChan(sess)
			ln.Close()
		}()
		for {
			conn, err := ln.Accept()
			if err != nil {
				if sess.IsClosed() {
					return nil
				}
				return err
			}
			st, err := sess.OpenStream()
			if err != nil {
				log.Printf("weftpeer: open stream: %v", err)
				conn.Close()
				continue
			}
			go pump(conn, st)
		}
	}
	if len(args) != 2 {
		return errors.New("usage: stdio HOST PORT")
	}
	target := net.JoinHostPort(args[0], args[1])
	sess, err := yamux.Server(pipe, stdioConfig())
	if err != nil {
		return err
	}
	for {
		st, err := sess.AcceptStream()
		if err != nil {
			return nil // stdin closed: the session is over
		}
		go func() {
			conn, err := net.Dial("tcp", target)
			if err != nil {
				log.Printf("weftpeer: dial %s: %v", target, err)
				st.Close()
				return
			}
			pump(conn, st)
		}()
	}
}

func stdioConfig() *yamux.Config {
	c := yamux.DefaultConfig()
	c.LogOutput = os.Stderr
	return c
}

// pump copies both ways with 4 KiB buffers and closes both ends once both directions have ended,
// as yamux-cli does (the 2019 yamux stream has no half-close, so an EOF from one side is not
// forwarded until the other direction ends too).
func pump(conn net.Conn, st *yamux.Stream) {
	done := make(chan struct{}, 2)
	go func() {
		io.CopyBuffer(st, conn, make([]byte, 4096))
		done <- struct{}{}
	}()
	go func() {
		io.CopyBuffer(conn, st, make([]byte, 4096))
		done <- struct{}{}
	}()
	<-done
	<-done
	conn.Close()
	st.Close()
}

// ---- bench ----

func runBenchServer(o options) error {
	ln, err := listen(o)
	if err != nil {
		return err
	}
	announce(os.Stdout, ln)
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			if conn = serverHandshake(o, conn); conn == nil {
				return
			}
			if o.raw {
				benchServe(conn)
				return
			}
			sess, err := yamux.Server(conn, config(o))
			if err != nil {
				conn.Close()
				return
			}
			defer sess.Close()
			for {
				st, err := sess.AcceptStream()
				if err != nil {
					return
				}
				go benchServe(st)
			}
		}()
	}
}

func benchServe(st io.ReadWriteCloser) {
	defer st.Close()
	r := bufio.NewReaderSize(st, 64*1024)
	kind, err := r.ReadByte()
	if err != nil {
		return
	}
	switch kind {
	case 'B':
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		n := int64(binary.BigEndian.Uint64(hdr[:]))
		if _, err := io.CopyN(ioutil.Discard, r, n); err != nil {
			return
		}
		st.Write([]byte{'K'})
		io.Copy(ioutil.Discard, r)
	case 'R':
		buf := make([]byte, 64*1024)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				if _, werr := st.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
}

func runBenchClient(o options) error {
	conn, err := dial(o)
	if err != nil {
		return err
	}
	var st io.ReadWriteCloser = conn
	if !o.raw {
		sess, err := yamux.Client(conn, config(o))
		if err != nil {
			return err
		}
		defer sess.Close()
		if st, err = sess.OpenStream(); err != nil {
			return err
		}
	}
	defer st.Close()
	peer := "yamux"
	if o.raw {
		peer = "tcp"
	}
	if o.tlsEnabled() {
		peer += "+tls"
	}
	switch o.mode {
	case "bulk":
		var hdr [9]byte
		hdr[0] = 'B'
		binary.BigEndian.PutUint64(hdr[1:], uint64(o.bytes))
		buf := make([]byte, o.chunk)
		rand.New(rand.NewSource(1)).Read(buf)
		start := time.Now()
		if _, err := st.Write(hdr[:]); err != nil {
			return err
		}
		for left := o.bytes; left > 0; {
			n := int64(len(buf))
			if left < n {
				n = left
			}
			if _, err := st.Write(buf[:n]); err != nil {
				return fmt.Errorf("bulk write: %v", err)
			}
			left -= n
		}
		ack := make([]byte, 1)
		if _, err := io.ReadFull(st, ack); err != nil || ack[0] != 'K' {
			return fmt.Errorf("bulk: no acknowledgement from the server: %v", err)
		}
		secs := time.Since(start).Seconds()
		printJSON(map[string]interface{}{"peer": peer, "mode": "bulk", "bytes": o.bytes, "chunk": o.chunk,
			"seconds": secs, "bytesPerSec": float64(o.bytes) / secs})
	case "rr":
		req := make([]byte, o.size)
		resp := make([]byte, o.size)
		rand.New(rand.NewSource(1)).Read(req)
		if _, err := st.Write([]byte{'R'}); err != nil {
			return err
		}
		ops := 0
		start := time.Now()
		end := start.Add(o.duration)
		for time.Now().Before(end) {
			if _, err := st.Write(req); err != nil {
				return fmt.Errorf("rr write: %v", err)
			}
			if _, err := io.ReadFull(st, resp); err != nil {
				return fmt.Errorf("rr read: %v", err)
			}
			if !bytes.Equal(req, resp) {
				return errors.New("rr: response differs from request")
			}
			ops++
		}
		secs := time.Since(start).Seconds()
		printJSON(map[string]interface{}{"peer": peer, "mode": "rr", "size": o.size, "ops": ops,
			"seconds": secs, "opsPerSec": float64(ops) / secs})
	default:
		return fmt.Errorf("unknown -mode %q (bulk or rr)", o.mode)
	}
	return nil
}

// ---- TLS ----

// listen listens on -listen, with crypto/tls when a TLS flag is given. Handshakes run in
// serverHandshake on the connection's own goroutine, not in Accept.
func listen(o options) (net.Listener, error) {
	ln, err := net.Listen("tcp", o.listen)
	if err != nil || !o.tlsEnabled() {
		return ln, err
	}
	c, err := serverTLSConfig(o)
	if err != nil {
		ln.Close()
		return nil, err
	}
	return tls.NewListener(ln, c), nil
}

// serverHandshake completes the TLS handshake of an accepted connection (a no-op without TLS). A
// failure is logged on stderr, the connection closed and nil returned; the server keeps serving.
func serverHandshake(o options, conn net.Conn) net.Conn {
	tc, ok := conn.(*tls.Conn)
	if !ok {
		return conn
	}
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.Handshake(); err != nil {
		fmt.Fprintf(os.Stderr, "weftpeer: tls handshake with %s: %v\n", conn.RemoteAddr(), err)
		conn.Close()
		return nil
	}
	tc.SetDeadline(time.Time{})
	logTLS(o, "server", tc)
	return tc
}

// dial connects to -addr and, with TLS, completes the handshake before returning.
func dial(o options) (net.Conn, error) {
	if o.addr == "" {
		return nil, errors.New("-addr is required")
	}
	conn, err := net.DialTimeout("tcp", o.addr, 10*time.Second)
	if err != nil || !o.tlsEnabled() {
		return conn, err
	}
	c, err := clientTLSConfig(o)
	if err != nil {
		conn.Close()
		return nil, err
	}
	tc := tls.Client(conn, c)
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.Handshake(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("tls handshake with %s (server name %q): %v", o.addr, c.ServerName, err)
	}
	tc.SetDeadline(time.Time{})
	logTLS(o, "client", tc)
	return tc, nil
}

func baseTLSConfig(o options) (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	switch o.tlsMax {
	case "":
	case "1.2":
		c.MaxVersion = tls.VersionTLS12
	case "1.3":
		c.MaxVersion = tls.VersionTLS13
	default:
		return nil, fmt.Errorf("-tls-max %q: want 1.2 or 1.3", o.tlsMax)
	}
	if o.tlsCert != "" || o.tlsKey != "" {
		if o.tlsCert == "" {
			return nil, errors.New("-tls-key needs -tls-cert")
		}
		key := o.tlsKey
		if key == "" {
			key = o.tlsCert
		}
		pair, err := tls.LoadX509KeyPair(o.tlsCert, key)
		if err != nil {
			return nil, fmt.Errorf("loading -tls-cert %s / -tls-key %s: %v", o.tlsCert, key, err)
		}
		c.Certificates = []tls.Certificate{pair}
	}
	return c, nil
}

func loadCAs(file string) (*x509.CertPool, error) {
	pem, err := ioutil.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("-tls-ca %s: no PEM certificates found", file)
	}
	return pool, nil
}

func clientTLSConfig(o options) (*tls.Config, error) {
	c, err := baseTLSConfig(o)
	if err != nil {
		return nil, err
	}
	if o.tlsCA != "" {
		if c.RootCAs, err = loadCAs(o.tlsCA); err != nil {
			return nil, err
		}
	}
	c.ServerName = o.tlsServerName
	if c.ServerName == "" {
		host, _, err := net.SplitHostPort(o.addr)
		if err != nil {
			return nil, fmt.Errorf("-addr %q: %v", o.addr, err)
		}
		c.ServerName = host
	}
	return c, nil
}

func serverTLSConfig(o options) (*tls.Config, error) {
	c, err := baseTLSConfig(o)
	if err != nil {
		return nil, err
	}
	if len(c.Certificates) == 0 {
		return nil, errors.New("a TLS server needs -tls-cert (and -tls-key)")
	}
	if o.tlsCA != "" {
		if c.ClientCAs, err = loadCAs(o.tlsCA); err != nil {
			return nil, err
		}
		c.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return c, nil
}

func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLS 1.0"
	case tls.VersionTLS11:
		return "TLS 1.1"
	case tls.VersionTLS12:
		return "TLS 1.2"
	case tls.VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

func logTLS(o options, role string, tc *tls.Conn) {
	if !o.verbose {
		return
	}
	st := tc.ConnectionState()
	peer := "no peer certificate"
	if len(st.PeerCertificates) > 0 {
		peer = fmt.Sprintf("peer %q", st.PeerCertificates[0].Subject.String())
	}
	fmt.Fprintf(os.Stderr, "weftpeer: tls %s %s: %s %s, %s\n", role, tc.RemoteAddr(), tlsVersionName(st.Version),
		tls.CipherSuiteName(st.CipherSuite), peer)
}

// runTLSProbe handshakes with -addr and, with -yamux-ping, round-trips one yamux ping (hand-made
// frames, no session) so a refusal the server sends after the handshake is seen too.
func runTLSProbe(o options) error {
	conn, err := dial(o)
	if err != nil {
		return err
	}
	defer conn.Close()
	tc := conn.(*tls.Conn)
	st := tc.ConnectionState()
	result := map[string]interface{}{"version": tlsVersionName(st.Version),
		"cipher": tls.CipherSuiteName(st.CipherSuite), "peerCertificates": len(st.PeerCertificates)}
	if len(st.PeerCertificates) > 0 {
		result["peerSubject"] = st.PeerCertificates[0].Subject.String()
	}
	if o.yamuxPing {
		if err := yamuxPingRaw(tc); err != nil {
			return err
		}
		result["yamuxPing"] = true
	}
	printJSON(result)
	return nil
}

// yamuxPingRaw sends a yamux ping (version 0, type 2, flag SYN, stream 0, opaque value) and waits
// for its ACK, skipping the peer's own pings and window updates.
func yamuxPingRaw(conn net.Conn) error {
	const opaque = 0x5745_4654 // "WEFT"
	var hdr [12]byte
	hdr[1] = 2                             // ping
	binary.BigEndian.PutUint16(hdr[2:], 1) // SYN
	binary.BigEndian.PutUint32(hdr[8:], opaque)
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(hdr[:]); err != nil {
		return fmt.Errorf("yamux ping write: %v", err)
	}
	for {
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			return fmt.Errorf("yamux ping read: %v", err)
		}
		kind, flags, length := hdr[1], binary.BigEndian.Uint16(hdr[2:]), binary.BigEndian.Uint32(hdr[8:])
		switch {
		case kind == 2 && flags&2 != 0 && length == opaque:
			return nil
		case kind == 3:
			return fmt.Errorf("yamux ping: the server sent GoAway(%d)", length)
		case kind == 0:
			if _, err := io.CopyN(ioutil.Discard, conn, int64(length)); err != nil {
				return fmt.Errorf("yamux ping read: %v", err)
			}
		}
	}
}
