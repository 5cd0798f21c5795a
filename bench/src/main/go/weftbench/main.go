// Command weftbench is the Go side of Weft's end-to-end comparison harness (bench/run.sh).
//
// It runs one benchmark cell between two processes over loopback TCP, either through a
// hashicorp/yamux session with one stream ("-mux yamux") or over the bare TCP connection
// ("-mux raw"). The server accepts one connection, serves it until the client goes away and
// exits. The client warms up, measures, prints one JSON line and exits.
//
// With "-tls cert.pem,key.pem" either runs over crypto/tls on that connection (Go's defaults:
// TLS 1.3): the server presents the certificate, the client trusts only it and verifies the
// server as "localhost", and reports the negotiated version and suite in the JSON line ("tls").
//
// Workloads (identical to io.weft.bench.MuxPeer on the Java side):
//
//	bulk: the server writes 64 KiB chunks without pause; the client reads into a 64 KiB buffer
//	      and reports bytes per second received.
//	rr:   the client writes 64 bytes and reads the 64-byte echo, one at a time; it reports
//	      round trips per second.
//
// The multi-stream workloads of the yamux2 suite (cells.go) run over one session, or with
// "-mux raw" over one TCP connection per stream: lub (round trips beside a bulk stream, with
// latency percentiles), bulk8 (8 bulk streams), churn (open, 1 KiB echo, close; 16 at a time) and
// idle ("-streams N" idle streams; the server reports its RSS and heap per stream).
//
// Build in GOPATH mode against Debian's hashicorp/yamux:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o weftbench ./bench/src/main/go/weftbench
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/yamux"
)

const (
	bulkChunkBytes = 64 * 1024
	rrMessageBytes = 64
)

type result struct {
	Impl      string  `json:"impl"`
	Workload  string  `json:"workload"`
	Seconds   float64 `json:"seconds"`
	Bytes     int64   `json:"bytes"`
	Ops       int64   `json:"ops"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit"`
	GoVersion string  `json:"runtime"`
	TLS       string  `json:"tls,omitempty"`
}

func main() {
	role := flag.String("role", "", "server or client")
	mux := flag.String("mux", "yamux", "yamux or raw")
	workload := flag.String("workload", "bulk", "bulk or rr")
	listen := flag.String("listen", "127.0.0.1:0", "server listen address")
	addr := flag.String("addr", "", "client: server address")
	warmup := flag.Duration("warmup", time.Second, "client: warm-up before measuring")
	measure := flag.Duration("measure", 3*time.Second, "client: measured interval")
	impl := flag.String("impl", "", "client: name to report (default go-<mux>, go-<mux>-tls)")
	tlsFiles := flag.String("tls", "", "cert.pem,key.pem: run over TLS (server: this key; client: trust this cert)")
	streams := flag.Int("streams", 10000, "idle workload: streams to open")
	flag.Parse()
	if *impl == "" {
		*impl = "go-" + *mux
		if *tlsFiles != "" {
			*impl += "-tls"
		}
	}
	var config *tls.Config
	var err error
	if *tlsFiles != "" {
		config, err = tlsConfig(*tlsFiles)
	}
	if err == nil {
		multi := multiStreamWorkloads[*workload]
		switch {
		case *role == "server" && multi:
			err = serveStreams(*mux, *workload, *listen, *streams)
		case *role == "server":
			err = serve(*mux, *workload, *listen, config)
		case *role == "client" && multi:
			err = clientStreams(*mux, *workload, *addr, *warmup, *measure, *impl, *streams)
		case *role == "client":
			err = client(*mux, *workload, *addr, *warmup, *measure, *impl, config)
		default:
			err = fmt.Errorf("-role must be server or client")
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "weftbench:", err)
		os.Exit(1)
	}
}

func yamuxConfig() *yamux.Config {
	c := yamux.DefaultConfig()
	c.LogOutput = io.Discard
	return c
}

// tlsConfig loads "cert.pem,key.pem": the server's certificate and key, and the only root the
// client trusts.
func tlsConfig(files string) (*tls.Config, error) {
	parts := strings.Split(files, ",")
	if len(parts) != 2 {
		return nil, fmt.Errorf("-tls wants cert.pem,key.pem, got %q", files)
	}
	cert, err := tls.LoadX509KeyPair(parts[0], parts[1])
	if err != nil {
		return nil, err
	}
	certPEM, err := os.ReadFile(parts[0])
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(certPEM) {
		return nil, fmt.Errorf("no certificate in %s", parts[0])
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: roots, ServerName: "localhost"}, nil
}

func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	}
	return fmt.Sprintf("0x%04x", v)
}

func setNoDelay(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true) // Go's default already; stated for symmetry with the Java side.
	}
}

func serve(mux, workload, listen string, config *tls.Config) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Printf("LISTEN %s\n", ln.Addr())
	os.Stdout.Sync()
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	ln.Close()
	setNoDelay(conn)
	if config != nil {
		conn = tls.Server(conn, config) // handshakes on the first read or write
	}
	var rw io.ReadWriteCloser = conn
	if mux == "yamux" {
		session, err := yamux.Server(conn, yamuxConfig())
		if err != nil {
			return err
		}
		stream, err := session.AcceptStream()
		if err != nil {
			return err
		}
		rw = stream
	}
	switch workload {
	case "bulk":
		chunk := make([]byte, bulkChunkBytes)
		for {
			if _, err := rw.Write(chunk); err != nil {
				return nil // the client has gone: the cell is over
			}
		}
	case "rr":
		msg := make([]byte, rrMessageBytes)
		for {
			if _, err := io.ReadFull(rw, msg); err != nil {
				return nil
			}
			if _, err := rw.Write(msg); err != nil {
				return nil
			}
		}
	}
	return fmt.Errorf("unknown workload %q", workload)
}

func client(mux, workload, addr string, warmup, measure time.Duration, impl string, config *tls.Config) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	setNoDelay(conn)
	negotiated := ""
	if config != nil {
		tc := tls.Client(conn, config)
		if err := tc.Handshake(); err != nil {
			return err
		}
		state := tc.ConnectionState()
		negotiated = tlsVersionName(state.Version) + " " + tls.CipherSuiteName(state.CipherSuite)
		conn = tc
	}
	var rw io.ReadWriteCloser = conn
	if mux == "yamux" {
		session, err := yamux.Client(conn, yamuxConfig())
		if err != nil {
			return err
		}
		stream, err := session.OpenStream()
		if err != nil {
			return err
		}
		rw = stream
	}
	// The loop runs in its own goroutine and counts into atomics; this goroutine samples them
	// at the window's edges, so the measured interval is exact whatever the loop is doing.
	var bytes, ops int64
	loopErr := make(chan error, 1)
	var stop int32
	go func() {
		switch workload {
		case "bulk":
			buf := make([]byte, bulkChunkBytes)
			for atomic.LoadInt32(&stop) == 0 {
				n, err := rw.Read(buf)
				if err != nil {
					loopErr <- err
					return
				}
				atomic.AddInt64(&bytes, int64(n))
			}
		case "rr":
			msg := make([]byte, rrMessageBytes)
			for atomic.LoadInt32(&stop) == 0 {
				if _, err := rw.Write(msg); err != nil {
					loopErr <- err
					return
				}
				if _, err := io.ReadFull(rw, msg); err != nil {
					loopErr <- err
					return
				}
				atomic.AddInt64(&ops, 1)
				atomic.AddInt64(&bytes, rrMessageBytes)
			}
		default:
			loopErr <- fmt.Errorf("unknown workload %q", workload)
			return
		}
		loopErr <- nil
	}()
	// Warm-up counts from the first byte, as on the Java side.
	for first := time.Now(); atomic.LoadInt64(&bytes) == 0 && time.Since(first) < 20*time.Second; {
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-loopErr:
		return fmt.Errorf("during warm-up: %v", err)
	case <-time.After(warmup):
	}
	b0, o0, t0 := atomic.LoadInt64(&bytes), atomic.LoadInt64(&ops), time.Now()
	select {
	case err := <-loopErr:
		return fmt.Errorf("while measuring: %v", err)
	case <-time.After(measure):
	}
	b1, o1, t1 := atomic.LoadInt64(&bytes), atomic.LoadInt64(&ops), time.Now()
	atomic.StoreInt32(&stop, 1)
	secs := t1.Sub(t0).Seconds()
	r := result{Impl: impl, Workload: workload, Seconds: secs, Bytes: b1 - b0, Ops: o1 - o0, GoVersion: runtime.Version(), TLS: negotiated}
	if workload == "bulk" {
		r.Value, r.Unit = float64(r.Bytes)/secs/1e6, "MB/s"
	} else {
		r.Value, r.Unit = float64(r.Ops)/secs, "rt/s"
	}
	line, _ := json.Marshal(r)
	fmt.Println(string(line))
	os.Stdout.Sync()
	conn.Close()
	return nil
}
