// Command hostilevictim is the hashicorp/yamux side of Weft's hostile-peer figures
// (io.weft.yamux.hostile.HostileFiguresTest): a yamux echo server with hashicorp's DefaultConfig
// (logging discarded, so a flood does not measure stderr), and a second listener that reports the
// process's state for the attack harness.
//
// Usage: hostilevictim [-listen ADDR] [-stats ADDR]
//
// It prints "listening ECHO_ADDR stats STATS_ADDR" on stdout once both listeners are up, then runs
// until killed. Every accepted stream is echoed until EOF, then closed (as weftpeer echo).
// A client of the stats address writes one byte, 'g' (collect garbage first) or 'c' (counts only),
// and gets one JSON line before the connection is closed:
//
//	{"heapBytes":N,"goroutines":N,"rssBytes":N,"sessions":N,"streams":N}
//
// heapBytes is runtime.MemStats.HeapAlloc (right after runtime.GC() for 'g'); rssBytes is VmRSS
// from /proc/self/status; sessions are yamux sessions not yet closed; streams their NumStreams sum.
//
// Built like weftpeer, in GOPATH mode against Debian's golang-github-hashicorp-yamux-dev.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/yamux"
)

var (
	mu       sync.Mutex
	sessions = map[*yamux.Session]bool{}
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "echo address")
	statsAddr := flag.String("stats", "127.0.0.1:0", "stats address")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostilevictim:", err)
		os.Exit(1)
	}
	stats, err := net.Listen("tcp", *statsAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostilevictim:", err)
		os.Exit(1)
	}
	go serveStats(stats)
	fmt.Printf("listening %s stats %s\n", ln.Addr(), stats.Addr())
	for {
		conn, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "hostilevictim: accept:", err)
			os.Exit(1)
		}
		go serveEcho(conn)
	}
}

func serveEcho(conn net.Conn) {
	config := yamux.DefaultConfig()
	config.LogOutput = ioutil.Discard
	sess, err := yamux.Server(conn, config)
	if err != nil {
		conn.Close()
		return
	}
	mu.Lock()
	sessions[sess] = true
	mu.Unlock()
	defer func() {
		sess.Close()
		mu.Lock()
		delete(sessions, sess)
		mu.Unlock()
	}()
	for {
		st, err := sess.AcceptStream()
		if err != nil {
			return
		}
		go func() {
			io.Copy(st, st)
			st.Close()
		}()
	}
}

func serveStats(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		request := make([]byte, 1)
		if _, err := io.ReadFull(conn, request); err != nil {
			conn.Close()
			continue
		}
		if request[0] == 'g' {
			runtime.GC()
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		open, streams := 0, 0
		for s := range sessions {
			if !s.IsClosed() {
				open++
				streams += s.NumStreams()
			}
		}
		mu.Unlock()
		line, _ := json.Marshal(map[string]int64{
			"heapBytes":  int64(m.HeapAlloc),
			"goroutines": int64(runtime.NumGoroutine()),
			"rssBytes":   rss(),
			"sessions":   int64(open),
			"streams":    int64(streams),
		})
		conn.Write(append(line, '\n'))
		conn.Close()
	}
}

func rss() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) >= 2 && fields[0] == "VmRSS:" {
			kib, _ := strconv.ParseInt(fields[1], 10, 64)
			return kib * 1024
		}
	}
	return -1
}
